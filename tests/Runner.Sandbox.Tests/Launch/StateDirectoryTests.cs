using Runner.Sandbox.Tests.Box;

namespace Runner.Sandbox.Tests.Launch;

[Collection("Boxes")]
public class StateDirectoryTests
{
    [Fact]
    public void A_state_directory_owned_by_someone_else_is_refused_before_any_box_is_made()
    {
        var dir = Directory.CreateTempSubdirectory("runner-foreign-state-").FullName;
        try
        {
            using (var chown = System.Diagnostics.Process.Start("chown", ["65534:65534", dir])) chown.WaitForExit();
            var r = Runner.Sandbox.Box.Run(new SandboxSpec { Argv = ["/bin/true"] }, BoxRunner.Options with { StateDirectory = dir });
            Assert.Equal(SandboxStatus.InternalError, r.Status);
            Assert.Contains($"state directory {dir} must be a directory owned by uid 0", r.Message);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
