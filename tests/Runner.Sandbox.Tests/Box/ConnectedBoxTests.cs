namespace Runner.Sandbox.Tests.Box;

/// <summary>Two boxes whose stdin and stdout are crossed pipes (an interactive judge's program and interactor).</summary>
[Collection("Boxes")]
public class ConnectedBoxTests
{
    private static SandboxSpec Sh(string script, SandboxLimits? limits = null) =>
        new() { Argv = ["/bin/sh", "-c", script], Limits = limits ?? new SandboxLimits { CpuTimeSeconds = 2, WallTimeSeconds = 5 } };

    private static ConnectedResult Run(SandboxSpec first, SandboxSpec second) =>
        Runner.Sandbox.Box.RunConnected(first, second, BoxRunner.Options);

    [Fact]
    public void Each_box_reads_what_the_other_writes()
    {
        var run = Run(Sh("echo ping; read x; echo \"first got $x\" >&2"), Sh("read x; echo pong-$x; echo \"second got $x\" >&2"));
        Assert.True(run.First.Status == SandboxStatus.Ok, run.First.Message + run.First.Stderr);
        Assert.True(run.Second.Status == SandboxStatus.Ok, run.Second.Message + run.Second.Stderr);
        Assert.Equal("first got pong-ping\n", run.First.Stderr);
        Assert.Equal("second got ping\n", run.Second.Stderr);
        Assert.Equal("", run.First.Stdout);
        Assert.Empty(BoxRunner.LeftoverCgroups());
    }

    [Fact]
    public void A_box_that_exits_gives_its_partner_EOF_and_ends_first()
    {
        var run = Run(Sh("exit 0"), Sh("cat; echo eof >&2"));
        Assert.True(run.Second.Status == SandboxStatus.Ok, run.Second.Message);
        Assert.Equal("eof\n", run.Second.Stderr);
        Assert.True(run.FirstEndedAt > 0 && run.FirstEndedAt < run.SecondEndedAt, $"{run.FirstEndedAt} vs {run.SecondEndedAt} walls {run.First.WallTime} {run.Second.WallTime} {run.First.Status} {run.First.Message}");
    }

    [Fact]
    public void Each_box_keeps_its_own_limits()
    {
        var spinning = Sh("while :; do :; done", new SandboxLimits { CpuTimeSeconds = 0.3, WallTimeSeconds = 5 });
        var run = Run(spinning, Sh("cat >/dev/null; echo eof >&2"));
        Assert.Equal(SandboxStatus.TimeLimit, run.First.Status);
        Assert.True(run.Second.Status == SandboxStatus.Ok, run.Second.Message);
        Assert.True(run.Second.CpuTime < 0.2, $"the partner's CPU time {run.Second.CpuTime} is its own");
    }

    [Fact]
    public void A_connected_box_takes_no_stdin_file()
    {
        var e = Assert.Throws<SandboxSpecException>(() => Run(Sh("true") with { StdinPath = "/dev/null" }, Sh("true")));
        Assert.Equal("stdin_path", e.Field);
    }

    [Fact]
    public void A_host_with_one_slot_cannot_run_a_pair_and_says_so()
    {
        var run = Runner.Sandbox.Box.RunConnected(Sh("true"), Sh("true"), BoxRunner.Options with { SlotCount = 1 });
        Assert.Equal(SandboxStatus.InternalError, run.First.Status);
        Assert.Contains("two box slots", run.First.Message);
    }
}
