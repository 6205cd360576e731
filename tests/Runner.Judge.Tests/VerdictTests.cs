namespace Runner.Judge.Tests;

/// <summary>Every verdict, for every shipped language, from one compile of a program whose behaviour stdin picks.</summary>
public class VerdictTests
{
    public static TheoryData<string, string> Languages => new()
    {
        { "c", "behave.c" },
        { "cpp", "behave.cpp" },
        { "python", "behave.py" },
        { "java", "Main.java" },
        { "javascript", "behave.js" },
        { "perl", "behave.pl" },
        { "bash", "behave.sh" },
        { "fortran", "behave.f90" },
    };

    [Theory]
    [MemberData(nameof(Languages))]
    public void Each_behaviour_gets_its_own_verdict_from_one_compile(string language, string program)
    {
        var tests = new List<TestCase>
        {
            JudgeHarness.Test("accepted", "sum 1 2\n", "3\n"),
            JudgeHarness.Test("wrong", "sum 2 2\n", "5\n"),
            JudgeHarness.Test("spin", "spin\n"),
            JudgeHarness.Test("alloc", "alloc\n"),
            JudgeHarness.Test("div", "div\n"),
            JudgeHarness.Test("throw", "throw\n"),
            JudgeHarness.Test("exit3", "exit3\n"),
            JudgeHarness.Test("flood", "flood\n"),
        };
        if (language is "c" or "cpp") tests.Add(JudgeHarness.Test("segv", "segv\n"));

        var report = JudgeHarness.Run(language, JudgeHarness.Program(program), tests);
        var why = JudgeHarness.Describe(report);

        // Python folds its syntax check into the first run (CompileAtRunTests), so it reports none.
        Assert.True(report.Compile.Status == (language == "python" ? CompileStatus.Skipped : CompileStatus.Succeeded), why);
        var verdicts = report.Tests.ToDictionary(t => t.Name);
        Assert.Equal(tests.Count, report.Tests.Count);
        Assert.True(verdicts["accepted"].Verdict == Verdict.Accepted, why);
        Assert.Equal("3\n", verdicts["accepted"].OutputExcerpt);
        Assert.True(verdicts["wrong"].Verdict == Verdict.WrongAnswer, why);
        Assert.True(verdicts["spin"].Verdict == Verdict.TimeLimitExceeded, why);
        Assert.Contains("CPU time limit", verdicts["spin"].Message);
        Assert.True(verdicts["alloc"].Verdict == Verdict.MemoryLimitExceeded, why);
        Assert.True(verdicts["div"].Verdict == Verdict.RuntimeError, why);
        Assert.True(verdicts["throw"].Verdict == Verdict.RuntimeError, why);
        Assert.True(verdicts["exit3"].Verdict == Verdict.RuntimeError, why);
        Assert.Equal(3, verdicts["exit3"].ExitCode);
        Assert.True(verdicts["flood"].Verdict == Verdict.OutputLimitExceeded, why);
        if (language is "c" or "cpp")
        {
            Assert.True(verdicts["segv"].Verdict == Verdict.RuntimeError, why);
            Assert.Equal(11, verdicts["segv"].Signal);
            Assert.Contains("SIGSEGV", verdicts["segv"].Message);
        }
        // The first failing test in order decides the overall verdict; only one test passed.
        Assert.Equal(Verdict.WrongAnswer, report.Verdict);
        Assert.Equal(new JudgeScore(1, tests.Count, 1), report.Score);
    }

    public static TheoryData<string, string> BrokenSources => new()
    {
        { "c", "int main(void) { return undeclared; }" },
        { "cpp", "int main() { std::vector<int> v; }" },
        { "python", "def f(:\n    pass\n" },
        { "java", "public class Main { public static void main(String[] a) { int x = \"s\"; } }" },
        { "javascript", "function (\n" },
        { "perl", "my $x = ;\n" },
        { "bash", "if then fi (\n" },
        { "fortran", "program p\n  integer :: x\n  x = 'text'\nend program p\n" },
    };

    [Theory]
    [MemberData(nameof(BrokenSources))]
    public void A_source_that_does_not_compile_is_a_compilation_error_with_the_compiler_output(string language, string source)
    {
        var report = JudgeHarness.Run(language, source, [JudgeHarness.Test("1", "sum 1 2\n", "3\n")]);
        Assert.True(report.Verdict == Verdict.CompilationError, JudgeHarness.Describe(report));
        Assert.Equal(CompileStatus.Failed, report.Compile.Status);
        Assert.NotEmpty(report.Compile.Output.Trim());
        Assert.Empty(report.Tests);
        Assert.Equal(new JudgeScore(0, 1, 0), report.Score);
    }

    [Fact]
    public void A_multi_threaded_busy_loop_is_stopped_by_CPU_time_summed_over_its_threads()
    {
        // Each of three threads stops by itself at 0.8 s of its own CPU time, so a per-thread
        // limit of 1 s would let the program finish and print "done".
        var report = JudgeHarness.Run("c", JudgeHarness.Program("behave.c"), [JudgeHarness.Test("threads", "threads\n", "done\n")],
            JudgeHarness.Limits("c") with { CpuTimeSeconds = 1, WallTimeSeconds = 20 });
        var test = Assert.Single(report.Tests);
        Assert.True(test.Verdict == Verdict.TimeLimitExceeded, JudgeHarness.Describe(report));
        Assert.InRange(test.CpuTime, 1.0, 1.2);
        Assert.Contains("CPU time limit of 1 s", test.Message);
    }

    [Fact]
    public void A_sleeping_program_is_a_time_limit_with_the_wall_clock_named_as_the_reason()
    {
        var report = JudgeHarness.Run("c", JudgeHarness.Program("behave.c"), [JudgeHarness.Test("sleep", "sleep\n")],
            JudgeHarness.Limits("c") with { CpuTimeSeconds = 1, WallTimeSeconds = 0.5 });
        var test = Assert.Single(report.Tests);
        Assert.True(test.Verdict == Verdict.TimeLimitExceeded, JudgeHarness.Describe(report));
        Assert.Contains("wall-clock limit of 0.5 s", test.Message);
    }

    [Fact]
    public void Stop_on_first_failure_skips_the_remaining_tests_but_counts_them_in_the_total()
    {
        var tests = new[]
        {
            JudgeHarness.Test("1", "sum 1 1\n", "2\n"),
            JudgeHarness.Test("2", "exit3\n"),
            JudgeHarness.Test("3", "sum 1 2\n", "3\n"),
        };
        var source = JudgeHarness.Program("behave.py");
        var stopped = JudgeHarness.Run("python", source, tests, stopOnFirstFailure: true);
        Assert.Equal(["1", "2"], stopped.Tests.Select(t => t.Name));
        Assert.Equal(Verdict.RuntimeError, stopped.Verdict);
        Assert.Equal(new JudgeScore(1, 3, 1), stopped.Score);

        var all = JudgeHarness.Run("python", source, tests);
        Assert.Equal(["1", "2", "3"], all.Tests.Select(t => t.Name));
        Assert.Equal(new JudgeScore(2, 3, 2), all.Score);
    }

    [Fact]
    public void Progress_is_reported_for_the_compile_and_for_each_test()
    {
        var seen = new List<JudgeProgress>();
        var progress = new SynchronousProgress(seen.Add);
        JudgePipeline.Run(new JudgeRequest
        {
            Language = "python",
            Source = JudgeHarness.Program("behave.py"),
            Tests = [JudgeHarness.Test("a", "sum 1 1\n", "2\n"), JudgeHarness.Test("b", "sum 1 2\n", "3\n")],
        }, JudgeHarness.Options, progress);
        Assert.Equal(
            [JudgeStage.Compiling, JudgeStage.Compiled, JudgeStage.TestStarted, JudgeStage.TestFinished,
                JudgeStage.TestStarted, JudgeStage.TestFinished, JudgeStage.Finished],
            seen.Select(p => p.Stage));
        Assert.Equal(Verdict.Accepted, seen[5].Test!.Verdict);
        Assert.Equal("b", seen[5].TestName);
    }

    [Fact]
    public void An_unknown_language_is_an_invalid_request()
    {
        var e = Assert.Throws<JudgeRequestException>(() => JudgeHarness.Run("cobol-85", "x", []));
        Assert.Equal("language", e.Field);
    }

    private sealed class SynchronousProgress(Action<JudgeProgress> report) : IProgress<JudgeProgress>
    {
        public void Report(JudgeProgress value) => report(value);
    }
}
