using Runner.Judge.Languages;

namespace Runner.Judge.Tests;

/// <summary>
/// Python has no compile box: its syntax check would cost a whole python3 start per submission,
/// so the first test's run is read instead (languages.json `compile_errors_at_run`).
/// </summary>
public sealed class CompileAtRunTests
{
    [Fact]
    public void A_python_syntax_error_is_a_compilation_error_with_the_interpreter_output_and_no_test_reported()
    {
        var tests = new[] { JudgeHarness.Test("1", "", "x\n"), JudgeHarness.Test("2", "", "x\n") };
        var report = JudgeHarness.Run("python", "print('x')\ndef f(:\n    pass\n", tests);
        Assert.True(report.Verdict == Verdict.CompilationError, JudgeHarness.Describe(report));
        Assert.Equal(CompileStatus.Failed, report.Compile.Status);
        Assert.Contains("SyntaxError", report.Compile.Output);
        Assert.Contains("line 2", report.Compile.Output);
        Assert.Equal(1, report.Compile.ExitCode);
        Assert.Contains("refused the source", report.Compile.Message);
        Assert.Empty(report.Tests);
        Assert.Equal(new JudgeScore(0, 2, 0), report.Score);
    }

    [Theory]
    [InlineData("if True:\nprint('x')\n", "IndentationError")]
    [InlineData("if True:\n\tx = 1\n        print(x)\n", "TabError")]
    public void Python_indentation_errors_are_compilation_errors_too(string source, string error)
    {
        var report = JudgeHarness.Run("python", source, [JudgeHarness.Test("1", "", "1\n")]);
        Assert.True(report.Verdict == Verdict.CompilationError, JudgeHarness.Describe(report));
        Assert.Contains(error, report.Compile.Output);
    }

    [Fact]
    public void A_correct_python_source_runs_its_tests_with_no_compile_step_reported()
    {
        var report = JudgeHarness.Run("python", "print(int(input()) * 2)\n", [JudgeHarness.Test("1", "21\n", "42\n")]);
        Assert.True(report.Verdict == Verdict.Accepted, JudgeHarness.Describe(report));
        Assert.Equal(CompileStatus.Skipped, report.Compile.Status);
    }

    [Theory]
    [InlineData("exec('1 +')\n")]
    [InlineData("raise SyntaxError('made by the program')\n")]
    public void A_SyntaxError_the_running_program_raises_itself_is_a_runtime_error(string source)
    {
        var report = JudgeHarness.Run("python", source, [JudgeHarness.Test("1", "", "")]);
        Assert.True(report.Verdict == Verdict.RuntimeError, JudgeHarness.Describe(report));
        Assert.Contains("SyntaxError", Assert.Single(report.Tests).Message);
    }

    [Fact]
    public void A_python_custom_checker_with_a_syntax_error_is_still_refused_before_any_test()
    {
        var e = Assert.Throws<JudgeRequestException>(() => JudgeHarness.Run("python", "print(1)\n",
            [JudgeHarness.Test("1", "", "1\n")], checker: Runner.Judge.Checking.CheckerSpec.Custom("def f(:\n", "python")));
        Assert.Equal("checker", e.Field);
        Assert.Contains("SyntaxError", e.Message);
    }

    [Fact]
    public void The_run_is_read_as_a_compile_failure_only_for_the_interpreters_own_exit_code_and_message()
    {
        var rule = LanguageCatalog.Load().Find("python")!.CompileErrorsAtRun!;
        static Runner.Sandbox.SandboxResult Run(int exit, string stderr) =>
            new() { Status = Runner.Sandbox.SandboxStatus.RuntimeError, ExitCode = exit, Stderr = stderr, Message = "" };
        Assert.True(rule.Matches(Run(1, "  File \"/box/main.py\", line 1\n    (\n    ^\nSyntaxError: '(' was never closed\n")));
        Assert.False(rule.Matches(Run(2, "SyntaxError: invalid syntax\n")));
        Assert.False(rule.Matches(Run(1, "Traceback (most recent call last):\n  File \"main.py\", line 1\nSyntaxError: x\n")));
        Assert.False(rule.Matches(Run(1, "SyntaxErrorish: no\n")));
    }
}
