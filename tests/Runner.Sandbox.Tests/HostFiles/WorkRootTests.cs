using Runner.Sandbox.HostFiles;

namespace Runner.Sandbox.Tests.HostFiles;

/// <summary>A work root is refused unless only this service (and root) can change it or anything above it.</summary>
public sealed class WorkRootTests : IDisposable
{
    private const uint Nobody = 65534;
    private readonly string _dir = Directory.CreateTempSubdirectory("runner-workroot-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_missing_root_is_created_owned_by_this_uid_and_closed_to_others()
    {
        var root = WorkRoot.Prepare(Path.Combine(_dir, "runs"));
        var status = FileStatus.OfPathNoFollow(root)!.Value;
        Assert.True(status.IsDirectory);
        Assert.Equal(0u, status.Uid);
        Assert.Equal(0x1ed, (int)(status.Mode & 0xfff));
    }

    [Fact]
    public void A_root_another_uid_owns_is_refused()
    {
        var root = Directory.CreateDirectory(Path.Combine(_dir, "runs")).FullName;
        Chown(root, Nobody);
        Assert.Contains($"belongs to uid {Nobody}", Assert.Throws<IOException>(() => WorkRoot.Prepare(root)).Message);
    }

    [Fact]
    public void A_root_others_can_write_is_refused()
    {
        var root = Directory.CreateDirectory(Path.Combine(_dir, "runs")).FullName;
        File.SetUnixFileMode(root, (UnixFileMode)0x1ff);
        Assert.Contains("writable by others", Assert.Throws<IOException>(() => WorkRoot.Prepare(root)).Message);
    }

    [Fact]
    public void A_symlink_in_place_of_the_root_is_refused()
    {
        var target = Directory.CreateDirectory(Path.Combine(_dir, "elsewhere")).FullName;
        var root = Path.Combine(_dir, "runs");
        File.CreateSymbolicLink(root, target);
        Assert.Contains("not a directory", Assert.Throws<IOException>(() => WorkRoot.Prepare(root)).Message);
    }

    [Fact]
    public void A_root_below_a_directory_another_uid_owns_is_refused()
    {
        var parent = Directory.CreateDirectory(Path.Combine(_dir, "home")).FullName;
        Chown(parent, Nobody);
        Assert.Contains("who could move the work root", Assert.Throws<IOException>(() => WorkRoot.Prepare(Path.Combine(parent, "runs"))).Message);
    }

    [Fact]
    public void A_root_below_a_world_writable_directory_that_is_not_sticky_is_refused()
    {
        var parent = Directory.CreateDirectory(Path.Combine(_dir, "shared")).FullName;
        File.SetUnixFileMode(parent, (UnixFileMode)0x1ff);
        Assert.Contains("not sticky", Assert.Throws<IOException>(() => WorkRoot.Prepare(Path.Combine(parent, "runs"))).Message);
    }

    [Fact]
    public void The_default_root_is_per_user_so_services_under_two_uids_do_not_share_one()
    {
        Assert.EndsWith($"runner-runs-{Environment.UserName}", WorkRoot.Default("runs"));
        Assert.EndsWith($"runner-judge-{Environment.UserName}", WorkRoot.Default("judge"));
    }

    private static void Chown(string path, uint uid)
    {
        using var p = System.Diagnostics.Process.Start("chown", [uid.ToString(System.Globalization.CultureInfo.InvariantCulture), path])!;
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }
}
