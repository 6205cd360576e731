using Runner.Judge.Languages;
using Runner.Judge.Pipeline;
using Runner.Sandbox;

namespace Runner.Judge.Tests.Pipeline;

/// <summary>How a run's end becomes a verdict before any checker (README.md, "Verdicts"), without a box.</summary>
public class RunVerdictTests
{
    /// <summary>The box's limits: the submission's 64 MiB plus 32 MiB of language headroom.</summary>
    private static readonly SandboxLimits Box = new() { CpuTimeSeconds = 1, WallTimeSeconds = 3, MemoryBytes = 96L << 20 };

    private const long Asked = 64L << 20;

    private static readonly LanguageDefinition Language = new()
    {
        Id = "test",
        Name = "Test",
        SourceFile = "main",
        Version = ["true"],
        Run = ["./main"],
        MemoryErrorMarkers = ["MemoryError"],
    };

    private static (Verdict Verdict, string Message)? Of(SandboxResult r) => RunVerdict.Of(r, Box, Asked, Language);

    private static SandboxResult Failed(int? exit = 1, int? signal = null, string stderr = "", long? peak = 1L << 20, bool oom = false) => new()
    {
        Status = signal is null ? SandboxStatus.RuntimeError : SandboxStatus.Signaled,
        ExitCode = signal is null ? exit : null,
        Signal = signal,
        Stderr = stderr,
        MemoryPeak = peak,
        OomKilled = oom,
        CpuTime = 0.01,
        Message = "",
    };

    [Fact]
    public void A_clean_run_has_no_verdict_yet_and_goes_on_to_the_checker() =>
        Assert.Null(Of(new SandboxResult { Status = SandboxStatus.Ok, ExitCode = 0, Message = "" }));

    [Theory]
    [InlineData(SandboxStatus.TimeLimit, Verdict.TimeLimitExceeded)]
    [InlineData(SandboxStatus.WallTimeLimit, Verdict.TimeLimitExceeded)]
    [InlineData(SandboxStatus.MemoryLimit, Verdict.MemoryLimitExceeded)]
    [InlineData(SandboxStatus.OutputLimit, Verdict.OutputLimitExceeded)]
    [InlineData(SandboxStatus.InternalError, Verdict.InternalError)]
    [InlineData(SandboxStatus.RuntimeError, Verdict.RuntimeError)]
    [InlineData(SandboxStatus.Signaled, Verdict.RuntimeError)]
    public void Each_sandbox_status_maps_to_its_verdict(SandboxStatus status, Verdict verdict) =>
        Assert.Equal(verdict, Of(new SandboxResult { Status = status, ExitCode = 1, Signal = 11, Message = "m" })!.Value.Verdict);

    [Fact]
    public void A_CPU_time_limit_names_the_limit_and_a_wall_clock_limit_names_the_CPU_time_used()
    {
        Assert.Equal("CPU time limit of 1 s exceeded", Of(new SandboxResult { Status = SandboxStatus.TimeLimit, CpuTime = 1.2, Message = "" })!.Value.Message);
        Assert.Equal("wall-clock limit of 3 s exceeded after 0.012 s of CPU time (the program was blocked or sleeping)",
            Of(new SandboxResult { Status = SandboxStatus.WallTimeLimit, CpuTime = 0.012, Message = "" })!.Value.Message);
    }

    [Fact]
    public void Memory_messages_name_the_limit_the_submission_asked_for_not_the_boxs_headroom() =>
        Assert.Equal("memory limit of 64MiB exceeded (killed by the OOM killer)",
            Of(new SandboxResult { Status = SandboxStatus.MemoryLimit, OomKilled = true, Message = "" })!.Value.Message);

    [Fact]
    public void An_internal_error_of_the_sandbox_says_so_and_keeps_its_message() =>
        Assert.Equal((Verdict.InternalError, "sandbox: launch step execve failed"),
            Of(new SandboxResult { Status = SandboxStatus.InternalError, Message = "launch step execve failed" }));

    [Fact]
    public void A_crash_is_a_runtime_error_naming_the_exit_or_signal_and_the_last_stderr_line()
    {
        Assert.Equal((Verdict.RuntimeError, "exited with code 3: ValueError: bad"), Of(Failed(3, stderr: "Traceback\n  line 1\nValueError: bad\n")));
        Assert.Equal((Verdict.RuntimeError, "killed by signal 11 (SIGSEGV)"), Of(Failed(signal: 11)));
    }

    [Fact]
    public void A_very_long_last_stderr_line_is_cut_at_200_characters() =>
        Assert.Equal("exited with code 1: " + new string('x', 200) + "...", Of(Failed(stderr: new string('x', 500)))!.Value.Message);

    [Fact]
    public void A_failed_run_that_the_OOM_killer_touched_is_a_memory_limit()
    {
        var (verdict, message) = Of(Failed(signal: 9, oom: true))!.Value;
        Assert.Equal(Verdict.MemoryLimitExceeded, verdict);
        Assert.Equal("memory limit of 64MiB exceeded (the OOM killer acted; killed by signal 9 (SIGKILL))", message);
    }

    [Fact]
    public void A_failed_run_whose_runtime_printed_a_memory_marker_is_a_memory_limit()
    {
        var (verdict, message) = Of(Failed(1, stderr: "Traceback\nMemoryError\n"))!.Value;
        Assert.Equal(Verdict.MemoryLimitExceeded, verdict);
        Assert.Equal("memory limit of 64MiB exceeded (the runtime reported 'MemoryError'; exited with code 1)", message);
    }

    [Fact]
    public void A_failed_run_that_peaked_at_98_percent_of_the_box_limit_is_a_memory_limit_and_at_97_percent_is_not()
    {
        var at98 = (long)Math.Ceiling(0.98 * Box.MemoryBytes);
        Assert.Equal(Verdict.MemoryLimitExceeded, Of(Failed(peak: at98))!.Value.Verdict);
        Assert.Equal(Verdict.RuntimeError, Of(Failed(peak: at98 - 1))!.Value.Verdict);
        Assert.Equal(Verdict.RuntimeError, Of(Failed(peak: (long)(0.97 * Box.MemoryBytes)))!.Value.Verdict);
        Assert.Equal(Verdict.RuntimeError, Of(Failed(peak: null))!.Value.Verdict);
    }

    [Fact]
    public void The_98_percent_rule_is_measured_against_the_box_limit_including_headroom()
    {
        // 63 MiB is 98% of the 64 MiB asked, but far below the 96 MiB the box really had.
        Assert.Equal(Verdict.RuntimeError, Of(Failed(peak: 63L << 20))!.Value.Verdict);
    }

    [Fact]
    public void A_program_that_exits_0_is_never_a_memory_limit_however_close_it_came() =>
        Assert.Null(Of(new SandboxResult { Status = SandboxStatus.Ok, ExitCode = 0, MemoryPeak = Box.MemoryBytes, Stderr = "MemoryError", Message = "" }));
}
