using Runner.Judge.Checking;

namespace Runner.Judge.Tests.Checking;

public class CustomCheckerTests
{
    private const string Submission = "a, b = map(int, input().split()[1:])\nprint(a + b)\n";

    [Fact]
    public void A_custom_Cpp_checker_follows_the_testlib_exit_code_convention()
    {
        var tests = new[]
        {
            JudgeHarness.Test("ac", "sum 2 3\n", "sum"),
            JudgeHarness.Test("wa", "sum 2 3\n", "sum"),
            JudgeHarness.Test("pe", "sum 1 1\n", "pe"),
            JudgeHarness.Test("points", "sum 1 1\n", "points"),
        };
        var checker = CheckerSpec.Custom(JudgeHarness.Program("checker.cpp"));
        var report = JudgeHarness.Run("python", Submission, tests, checker: checker);
        var why = JudgeHarness.Describe(report);
        var byName = report.Tests.ToDictionary(t => t.Name);
        Assert.True(byName["ac"].Verdict == Verdict.Accepted, why);
        Assert.Equal("ok 5", byName["ac"].Message);
        Assert.True(byName["pe"].Verdict == Verdict.WrongAnswer, why);
        Assert.Equal("presentation error: missing separator", byName["pe"].Message);
        Assert.True(byName["points"].Verdict == Verdict.WrongAnswer, why);
        Assert.Equal(0.25, byName["points"].Score);
        Assert.Contains("partial: 0.25", byName["points"].Message);
        Assert.Equal(2.25, report.Score.Points, 6);

        var wrong = JudgeHarness.Run("python", "print(7)\n", [tests[1]], checker: checker);
        var test = Assert.Single(wrong.Tests);
        Assert.True(test.Verdict == Verdict.WrongAnswer, JudgeHarness.Describe(wrong));
        Assert.Equal("expected 5, got 7", test.Message);
    }

    [Theory]
    [InlineData("fail", "checker failure: the answer file is broken")]
    [InlineData("crash", "checker failure: it ended with Signaled")]
    [InlineData("other", "checker failure: unexpected exit code 42")]
    public void A_failing_checker_is_an_internal_error_never_a_verdict_against_the_submission(string mode, string message)
    {
        var report = JudgeHarness.Run("python", Submission, [JudgeHarness.Test("1", "sum 1 1\n", mode)],
            checker: CheckerSpec.Custom(JudgeHarness.Program("checker.cpp")));
        Assert.True(report.Verdict == Verdict.InternalError, JudgeHarness.Describe(report));
        Assert.StartsWith(message, Assert.Single(report.Tests).Message);
    }

    [Fact]
    public void A_checker_that_does_not_compile_is_a_request_error_quoting_the_compiler()
    {
        var e = Assert.Throws<JudgeRequestException>(() => JudgeHarness.Run("python", Submission, [JudgeHarness.Test("1", "sum 1 1\n", "sum")],
            checker: CheckerSpec.Custom("int main() { return nope; }")));
        Assert.Equal("checker", e.Field);
        Assert.StartsWith("does not compile: ", e.Message);
        Assert.Contains("nope", e.Message);
        Assert.Contains("was not declared", e.Message);
    }

    [Fact]
    public void A_testlib_checker_is_told_that_testlib_h_is_not_shipped()
    {
        var e = Assert.Throws<JudgeRequestException>(() => JudgeHarness.Run("python", Submission, [JudgeHarness.Test("1", "sum 1 1\n", "sum")],
            checker: CheckerSpec.Custom("#include \"testlib.h\"\nint main(int argc, char* argv[]) { registerTestlibCmd(argc, argv); quitf(_ok, \"ok\"); }\n")));
        Assert.Contains("testlib.h: No such file or directory", e.Message);
        Assert.Contains("Runner does not ship testlib.h", e.Message);
    }
}
