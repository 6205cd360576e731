namespace Runner.Judge.Tests.Checking;

/// <summary>"Guess the number" judged with an interactor in its own box, piped to the program's box.</summary>
public class InteractorTests
{
    private static readonly string BinarySearch = JudgeHarness.Program("guess_binary_search.py");

    private static JudgeReport Judge(string source, string input, double cpu = 0.5, double wall = 1.5) =>
        JudgePipeline.Run(new JudgeRequest
        {
            Language = "python",
            Source = source,
            Tests = [JudgeHarness.Test("1", input, answer: null)],
            Limits = JudgeHarness.Limits("python") with { CpuTimeSeconds = cpu, WallTimeSeconds = wall },
            Interactor = new InteractorSpec(JudgeHarness.Program("guess_interactor.c"), "c"),
        }, JudgeHarness.Options);

    [Fact]
    public void A_binary_search_is_accepted_with_the_interactors_message()
    {
        var report = Judge(BinarySearch, "777\n");
        var test = Assert.Single(report.Tests);
        Assert.True(report.Verdict == Verdict.Accepted, JudgeHarness.Describe(report));
        Assert.Matches("^found 777 in [0-9]+ guesses$", test.Message);
        Assert.Equal(1, test.Score);
    }

    [Fact]
    public void A_linear_search_gets_the_interactors_wrong_answer_not_the_runtime_error_it_dies_of_afterwards()
    {
        // The interactor gives up after 10 guesses and exits; the program then reads EOF and
        // crashes. The interactor ended first, so its verdict decides.
        var report = Judge("i = 1\nwhile True:\n    print(i, flush=True)\n    input()\n    i += 1\n", "777\n");
        var test = Assert.Single(report.Tests);
        Assert.True(report.Verdict == Verdict.WrongAnswer, JudgeHarness.Describe(report));
        Assert.Equal("10 guesses and 777 is still not found", test.Message);
    }

    [Fact]
    public void A_program_that_ends_without_guessing_gets_the_interactors_presentation_error()
    {
        var report = Judge("pass\n", "777\n");
        Assert.True(report.Verdict == Verdict.WrongAnswer, JudgeHarness.Describe(report));
        Assert.Equal("presentation error: expected a guess, got EOF or garbage", Assert.Single(report.Tests).Message);
    }

    [Fact]
    public void A_program_that_crashes_mid_game_is_a_runtime_error_though_the_interactor_then_complains()
    {
        var report = Judge("print(500, flush=True)\ninput()\nraise SystemExit(3)\n", "777\n");
        var test = Assert.Single(report.Tests);
        Assert.True(report.Verdict == Verdict.RuntimeError, JudgeHarness.Describe(report));
        Assert.StartsWith("exited with code 3", test.Message);
    }

    [Fact]
    public void A_program_that_spins_is_a_time_limit_by_its_own_CPU_time()
    {
        // A generous wall limit: on a loaded machine 0.3 s of CPU can take seconds to use up.
        var report = Judge("print(500, flush=True)\ninput()\nwhile True:\n    pass\n", "777\n", cpu: 0.3, wall: 10);
        var test = Assert.Single(report.Tests);
        Assert.True(report.Verdict == Verdict.TimeLimitExceeded, JudgeHarness.Describe(report));
        Assert.Equal("CPU time limit of 0.3 s exceeded", test.Message);
    }

    [Fact]
    public void A_program_that_does_not_flush_deadlocks_and_is_stopped_at_its_wall_limit_as_a_deadlock()
    {
        // print() to a pipe is block-buffered (and readline, unlike input(), does not flush it):
        // the guess never reaches the interactor, and each waits for the other until the wall limit.
        var report = Judge("import sys\nprint(500)\nsys.stdin.readline()\n", "777\n", cpu: 0.5, wall: 1);
        var test = Assert.Single(report.Tests);
        Assert.True(report.Verdict == Verdict.TimeLimitExceeded, JudgeHarness.Describe(report));
        Assert.StartsWith("deadlock: wall-clock limit of 1 s exceeded", test.Message);
        Assert.InRange(test.WallTime, 1, 3);
    }

    [Fact]
    public void A_crashing_interactor_is_an_internal_error_never_blamed_on_the_program()
    {
        var report = Judge(BinarySearch, "777 crash\n");
        var test = Assert.Single(report.Tests);
        Assert.True(report.Verdict == Verdict.InternalError, JudgeHarness.Describe(report));
        Assert.StartsWith("interactor failure: it ended with Signaled", test.Message);
    }

    [Fact]
    public void An_interactor_that_does_not_compile_is_a_request_error_naming_the_interactor()
    {
        var e = Assert.Throws<JudgeRequestException>(() => JudgePipeline.Run(new JudgeRequest
        {
            Language = "python",
            Source = BinarySearch,
            Tests = [JudgeHarness.Test("1", "1\n", answer: null)],
            Interactor = new InteractorSpec("int main() { return nope; }", "c"),
        }, JudgeHarness.Options));
        Assert.Equal("interactor", e.Field);
        Assert.StartsWith("does not compile: ", e.Message);
    }
}
