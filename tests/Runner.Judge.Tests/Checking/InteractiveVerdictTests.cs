using Runner.Judge.Checking;
using Runner.Sandbox;

namespace Runner.Judge.Tests.Checking;

/// <summary>The rules that pick an interactive test's verdict from the two boxes' results (no boxes run here).</summary>
public class InteractiveVerdictTests
{
    private static readonly SandboxLimits Limits = new() { CpuTimeSeconds = 1, WallTimeSeconds = 2, MemoryBytes = 64L << 20 };

    private static SandboxResult Exited(int code, string stderr = "") => new()
    {
        Status = code == 0 ? SandboxStatus.Ok : SandboxStatus.RuntimeError,
        ExitCode = code,
        Stderr = stderr,
        Message = "",
    };

    private static SandboxResult Ended(SandboxStatus status, int? signal = null) => new() { Status = status, Signal = signal, Message = status.ToString() };

    private static CheckOutcome Decide(SandboxResult program, SandboxResult interactor, bool interactorFirst) =>
        Interactor.Decide(new ConnectedResult(program, interactor, interactorFirst ? 2 : 1, interactorFirst ? 1 : 2),
            Limits, Limits.MemoryBytes, JudgeHarness.Catalog.Find("python")!);

    [Fact]
    public void An_interactor_killed_by_SIGPIPE_after_the_program_left_is_the_programs_wrong_answer()
    {
        var outcome = Decide(Exited(0), Ended(SandboxStatus.Signaled, 13), interactorFirst: false);
        Assert.Equal(Verdict.WrongAnswer, outcome.Verdict);
        Assert.Contains("SIGPIPE", outcome.Message);
    }

    [Theory]
    [InlineData(SandboxStatus.TimeLimit)]
    [InlineData(SandboxStatus.WallTimeLimit)]
    [InlineData(SandboxStatus.MemoryLimit)]
    [InlineData(SandboxStatus.OutputLimit)]
    public void An_interactor_over_its_own_limits_is_an_internal_error_whatever_the_program_did(SandboxStatus status)
    {
        var outcome = Decide(Ended(SandboxStatus.TimeLimit, 9), Ended(status, 9), interactorFirst: false);
        Assert.Equal(Verdict.InternalError, outcome.Verdict);
        Assert.StartsWith("interactor failure: it ended with " + status, outcome.Message);
    }

    [Fact]
    public void An_interactor_that_exits_3_is_an_internal_error()
    {
        var outcome = Decide(Exited(0), Exited(3, "secret out of range"), interactorFirst: false);
        Assert.Equal(Verdict.InternalError, outcome.Verdict);
        Assert.Equal("interactor failure: secret out of range", outcome.Message);
    }

    [Fact]
    public void The_interactors_wrong_answer_decides_when_it_ended_first()
    {
        var outcome = Decide(Ended(SandboxStatus.Signaled, 13), Exited(1, "too many queries"), interactorFirst: true);
        Assert.Equal(Verdict.WrongAnswer, outcome.Verdict);
        Assert.Equal("too many queries", outcome.Message);
    }

    [Fact]
    public void A_program_killed_by_SIGPIPE_writing_to_an_interactor_that_had_accepted_is_accepted()
    {
        var outcome = Decide(Ended(SandboxStatus.Signaled, 13), Exited(0, "found it"), interactorFirst: true);
        Assert.Equal(Verdict.Accepted, outcome.Verdict);
        Assert.Equal("found it", outcome.Message);
    }

    [Fact]
    public void A_program_that_crashes_after_an_interactor_accepted_is_a_runtime_error()
    {
        var outcome = Decide(Ended(SandboxStatus.Signaled, 11), Exited(0, "found it"), interactorFirst: true);
        Assert.Equal(Verdict.RuntimeError, outcome.Verdict);
    }

    [Fact]
    public void The_programs_own_failure_decides_when_the_program_ended_first()
    {
        var program = Ended(SandboxStatus.MemoryLimit, 9) with { OomKilled = true };
        var outcome = Decide(program, Exited(2, "unexpected EOF"), interactorFirst: false);
        Assert.Equal(Verdict.MemoryLimitExceeded, outcome.Verdict);
    }

    [Fact]
    public void Points_from_an_interactor_are_read_from_its_stderr()
    {
        var outcome = Decide(Exited(0), Exited(7, "0.5 half of the queries"), interactorFirst: false);
        Assert.Equal(Verdict.WrongAnswer, outcome.Verdict);
        Assert.Equal(0.5, outcome.Score);
    }

    [Fact]
    public void A_sandbox_fault_in_either_box_is_an_internal_error()
    {
        Assert.Equal(Verdict.InternalError, Decide(Ended(SandboxStatus.InternalError), Exited(0), interactorFirst: false).Verdict);
        Assert.Equal(Verdict.InternalError, Decide(Exited(0), Ended(SandboxStatus.InternalError), interactorFirst: false).Verdict);
    }
}
