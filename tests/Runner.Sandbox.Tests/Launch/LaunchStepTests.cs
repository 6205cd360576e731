using Runner.Sandbox.Launch;
using Runner.Sandbox.Tests.Box;

namespace Runner.Sandbox.Tests.Launch;

[Collection("Boxes")]
public class LaunchStepTests
{
    [Fact]
    public void A_missing_program_is_an_internal_error_naming_the_execve_step_and_ENOENT()
    {
        var r = BoxRunner.Run("no-such-program-anywhere");
        Assert.Equal(SandboxStatus.InternalError, r.Status);
        Assert.Equal(LaunchStep.Execve, r.FailedStep);
        Assert.Contains("launch step execve failed", r.Message);
        Assert.Contains("ENOENT", r.Message);
    }

    [Fact]
    public void A_bind_whose_target_cannot_be_created_names_the_mount_step_and_errno()
    {
        // /proc is not a place a directory can be made, so the bind step fails in the child.
        var r = BoxRunner.Run(new SandboxSpec { Argv = ["/bin/true"], Binds = [new BindMount("/usr", "/proc/nope")] });
        Assert.Equal(SandboxStatus.InternalError, r.Status);
        Assert.Equal(LaunchStep.MountBind, r.FailedStep);
        Assert.Contains("launch step mount_bind failed (bind /usr on /proc/nope)", r.Message);
        Assert.Matches("E[A-Z]+ \\(", r.Message);
        Assert.Empty(BoxRunner.LeftoverCgroups());
    }

    [Fact]
    public void A_workdir_that_is_not_a_directory_is_a_spec_error_before_any_box_is_made()
    {
        var e = Assert.Throws<SandboxSpecException>(() => BoxRunner.Run(new SandboxSpec { Argv = ["/bin/true"], WorkDir = "/etc/hostname" }));
        Assert.Equal("work_dir", e.Field);
        Assert.Contains("no such directory", e.Message);
    }

    [Fact]
    public void A_program_execve_refuses_is_reported_as_the_program_s_fault_with_the_step()
    {
        var r = BoxRunner.Run(new SandboxSpec { Argv = ["/no/such/program"] });
        Assert.Equal(SandboxStatus.InternalError, r.Status);
        Assert.Equal(LaunchStep.Execve, r.FailedStep);
        Assert.StartsWith("'/no/such/program' does not exist in the box", r.ProgramError);
    }

    [Fact]
    public void An_invalid_spec_throws_an_exception_naming_the_field()
    {
        var e = Assert.Throws<SandboxSpecException>(() => BoxRunner.Run(new SandboxSpec { Argv = ["/bin/true"], Limits = new SandboxLimits { MemoryBytes = 10 } }));
        Assert.Equal("memory", e.Field);
    }
}
