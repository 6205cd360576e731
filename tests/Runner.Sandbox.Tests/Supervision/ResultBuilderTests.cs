using Runner.Sandbox.Cgroups;
using Runner.Sandbox.Native;
using Runner.Sandbox.Supervision;
using Seen = Runner.Sandbox.Supervision.Supervision;

namespace Runner.Sandbox.Tests.Supervision;

/// <summary>
/// The status decision table (README.md, "Precedence") on what a supervisor and a cgroup could
/// report, without a box: each row adds the next-higher condition to a run that already has all
/// the lower ones, so the row's status must win over every one of them.
/// </summary>
public class ResultBuilderTests
{
    private static readonly SandboxLimits Limits = new() { CpuTimeSeconds = 1, WallTimeSeconds = 3, MemoryBytes = 64L << 20, OutputBytes = 4 };

    private const int SigSegv = 11, SigKill = 9, SigXcpu = 24;

    private static NativeLaunch.RunnerExit Exited(int code) => new() { WaitStatus = code << 8 };

    private static NativeLaunch.RunnerExit KilledBy(int signal) => new() { WaitStatus = signal };

    private static Seen Saw(NativeLaunch.RunnerExit? exit, KillReason killed = KillReason.None, double wallSeconds = 0.5,
        int stdoutBytes = 0)
    {
        var stdout = new OutputCapture(Limits.OutputBytes);
        stdout.Append(new byte[stdoutBytes]);
        return new Seen(null, exit, killed, TimeSpan.FromSeconds(wallSeconds), stdout, new OutputCapture(Limits.OutputBytes));
    }

    private static CgroupUsage Used(double cpuSeconds = 0.1, bool oom = false) =>
        new((long)(cpuSeconds * 0.9e9), (long)(cpuSeconds * 0.1e9), (long)(cpuSeconds * 1e9), 10L << 20, oom, 1);

    public static TheoryData<string, SandboxStatus> Table => new()
    {
        { "exit 0", SandboxStatus.Ok },
        { "exit 3", SandboxStatus.RuntimeError },
        { "SIGSEGV after exit 3 would have", SandboxStatus.Signaled },
        { "wall kill of a crashing program", SandboxStatus.WallTimeLimit },
        { "CPU kill with the wall clock also over", SandboxStatus.TimeLimit },
        { "OOM kill with CPU and wall also over", SandboxStatus.MemoryLimit },
        { "output kill with OOM, CPU and wall also over", SandboxStatus.OutputLimit },
        { "cancelled with everything else too", SandboxStatus.InternalError },
    };

    /// <summary>The rows of <see cref="Table"/>, each one the previous plus one higher condition.</summary>
    private static (Seen, CgroupUsage) Row(string row) => row switch
    {
        "exit 0" => (Saw(Exited(0)), Used()),
        "exit 3" => (Saw(Exited(3)), Used()),
        "SIGSEGV after exit 3 would have" => (Saw(KilledBy(SigSegv)), Used()),
        "wall kill of a crashing program" => (Saw(KilledBy(SigSegv), KillReason.WallTime, wallSeconds: 3.1), Used()),
        "CPU kill with the wall clock also over" => (Saw(KilledBy(SigKill), KillReason.CpuTime, wallSeconds: 3.1), Used(1.2)),
        "OOM kill with CPU and wall also over" => (Saw(KilledBy(SigKill), KillReason.CpuTime, wallSeconds: 3.1), Used(1.2, oom: true)),
        "output kill with OOM, CPU and wall also over" =>
            (Saw(KilledBy(SigKill), KillReason.Output, wallSeconds: 3.1, stdoutBytes: 5), Used(1.2, oom: true)),
        "cancelled with everything else too" =>
            (Saw(KilledBy(SigKill), KillReason.Cancelled, wallSeconds: 3.1, stdoutBytes: 5), Used(1.2, oom: true)),
        _ => throw new ArgumentOutOfRangeException(nameof(row)),
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Each_status_wins_over_every_condition_below_it_in_the_precedence_list(string row, SandboxStatus expected)
    {
        var (seen, usage) = Row(row);
        Assert.Equal(expected, ResultBuilder.Build(Limits, seen, usage).Status);
    }

    [Fact]
    public void The_table_covers_every_status_once_in_the_readme_order()
    {
        Assert.Equal(
            [SandboxStatus.Ok, SandboxStatus.RuntimeError, SandboxStatus.Signaled, SandboxStatus.WallTimeLimit, SandboxStatus.TimeLimit,
             SandboxStatus.MemoryLimit, SandboxStatus.OutputLimit, SandboxStatus.InternalError],
            Table.Select(row => (SandboxStatus)row[1]));
        Assert.Equal(Enum.GetValues<SandboxStatus>().Order(), Table.Select(row => (SandboxStatus)row[1]).Order());
    }

    [Fact]
    public void CPU_time_over_the_limit_is_time_limit_even_when_the_program_exited_0_before_the_kill()
    {
        var r = ResultBuilder.Build(Limits, Saw(Exited(0)), Used(1.05));
        Assert.Equal(SandboxStatus.TimeLimit, r.Status);
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("CPU time limit of 1 s exceeded", r.Message);
    }

    [Fact]
    public void A_process_stopped_by_the_RLIMIT_CPU_backstop_is_time_limit()
    {
        var r = ResultBuilder.Build(Limits, Saw(KilledBy(SigXcpu)), Used(0.9));
        Assert.Equal(SandboxStatus.TimeLimit, r.Status);
        Assert.Equal(SigXcpu, r.Signal);
    }

    [Fact]
    public void A_wall_kill_is_only_wall_time_limit_while_the_CPU_time_was_within_its_limit()
    {
        Assert.Equal(SandboxStatus.WallTimeLimit, ResultBuilder.Build(Limits, Saw(null, KillReason.WallTime, 3.1), Used(0.2)).Status);
        Assert.Equal(SandboxStatus.TimeLimit, ResultBuilder.Build(Limits, Saw(null, KillReason.WallTime, 3.1), Used(1.01)).Status);
    }

    [Fact]
    public void A_box_killed_by_Runner_reports_signal_9_and_no_exit_code()
    {
        var r = ResultBuilder.Build(Limits, Saw(null, KillReason.CpuTime), Used(1.2));
        Assert.Equal(SigKill, r.Signal);
        Assert.Null(r.ExitCode);
    }

    [Fact]
    public void An_init_that_ended_without_reporting_is_an_internal_error()
    {
        var r = ResultBuilder.Build(Limits, Saw(null), Used());
        Assert.Equal(SandboxStatus.InternalError, r.Status);
        Assert.Contains("without reporting", r.Message);
    }

    [Fact]
    public void Exit_codes_signals_and_output_caps_are_reported_as_the_program_left_them()
    {
        var crash = ResultBuilder.Build(Limits, Saw(KilledBy(SigSegv)), Used());
        Assert.Equal(("killed by signal 11 (SIGSEGV)", (int?)SigSegv, (int?)null), (crash.Message, crash.Signal, crash.ExitCode));

        var failed = ResultBuilder.Build(Limits, Saw(Exited(3)), Used());
        Assert.Equal(("exited with code 3", (int?)null, (int?)3), (failed.Message, failed.Signal, failed.ExitCode));

        var chatty = ResultBuilder.Build(Limits, Saw(KilledBy(SigKill), KillReason.Output, stdoutBytes: 9), Used());
        Assert.True(chatty.StdoutTruncated);
        Assert.Equal(4, chatty.StdoutBytes.Length);
        Assert.StartsWith("stdout exceeded the output limit", chatty.Message);
    }
}
