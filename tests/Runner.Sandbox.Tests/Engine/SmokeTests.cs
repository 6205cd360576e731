namespace Runner.Sandbox.Tests.Engine;

public class SmokeTests
{
    [Fact]
    public void Bin_true_runs_in_a_box_and_exits_ok()
    {
        var r = BoxRunner.Run("/bin/true");
        Assert.True(r.Status == SandboxStatus.Ok, r.Message);
        Assert.Equal(0, r.ExitCode);
    }

    [Fact]
    public void A_shell_sees_itself_as_root_on_host_sandbox()
    {
        var r = BoxRunner.Sh("id -u; hostname; echo $$; cat /proc/self/status | grep -E '^(Uid|Cap|NoNewPrivs|Seccomp)'; ls /; ls -la /dev; cat /proc/net/dev; mount | head -30");
        Assert.True(r.Status == SandboxStatus.Ok, r.Message + r.Stderr + r.Stdout);
        Console.WriteLine(r.Stdout);
    }
}
