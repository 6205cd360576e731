using Runner.Sandbox.HostFiles;

namespace Runner.Cli.Tests;

/// <summary>
/// <c>--bind</c> in real boxes: destinations whose parents the box's filesystem lacks, and
/// writable binds the box can really write (as root, each box has its own uid).
/// </summary>
public sealed class BindTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("runner-bind-tests-").FullName;
    private readonly TestCli _cli = new() { RealEngine = true };

    public BindTests()
    {
        // The box resolves a bind source as its own uid: every directory above it must be searchable.
        File.SetUnixFileMode(_dir, (UnixFileMode)0x1ed);
        _cli.CurrentDirectory = _dir;
        Directory.CreateDirectory(Path.Combine(_dir, "data"));
        File.WriteAllText(Path.Combine(_dir, "data", "hello"), "hi from the host\n");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_destination_whose_parents_are_missing_gets_them_in_the_box_s_own_root()
    {
        Assert.Equal(0, _cli.Run("run", "--bind", $"{_dir}/data:/opt/runner-test/deep/data", "--", "cat", "/opt/runner-test/deep/data/hello"));
        Assert.Equal("hi from the host\n", _cli.Stdout);
        Assert.False(Directory.Exists("/opt/runner-test"), "a parent was created on the host");
    }

    [Fact]
    public void The_default_destination_is_the_source_s_own_path_even_for_a_relative_source()
    {
        Assert.Equal(0, _cli.Run("run", "--bind", "data", "--", "cat", $"{_dir}/data/hello"));
        Assert.Equal("hi from the host\n", _cli.Stdout);
    }

    [Fact]
    public void A_destination_through_a_box_symlink_lands_where_the_link_points()
    {
        // /bin is usr/bin on a merged-/usr host: /bin/x is /usr/bin/x, which must already exist there.
        Assert.Equal(0, _cli.Run("run", "--bind", $"{_dir}/data/hello:/bin/true", "--", "cat", "/usr/bin/true"));
        Assert.Equal("hi from the host\n", _cli.Stdout);
    }

    [Fact]
    public void A_missing_parent_inside_a_host_mount_is_a_usage_error_and_nothing_is_created_there()
    {
        Assert.Equal(2, _cli.Run("run", "--bind", $"{_dir}/data:/usr/runner-no-such-dir/data", "--", "true"));
        Assert.StartsWith("runner: --bind: bind target '/usr/runner-no-such-dir/data': '/usr/runner-no-such-dir' does not exist in the box",
            Assert.Single(_cli.StderrLines));
        Assert.False(Directory.Exists("/usr/runner-no-such-dir"));
    }

    [Fact]
    public void A_writable_bind_is_the_box_s_during_the_run_and_the_caller_s_again_afterwards()
    {
        var data = Path.Combine(_dir, "data");
        var code = _cli.Run("run", "--bind", $"{data}:/data:rw", "--", "sh", "-c",
            "echo more >> /data/hello && mkdir /data/sub && echo new > /data/sub/new && rm /data/hello.gone 2>/dev/null; true");
        Assert.True(code == 0, _cli.Stderr);
        Assert.Equal("hi from the host\nmore\n", File.ReadAllText(Path.Combine(data, "hello")));
        foreach (var path in new[] { data, Path.Combine(data, "hello"), Path.Combine(data, "sub"), Path.Combine(data, "sub", "new") })
            Assert.Equal(0u, FileStatus.OfPathNoFollow(path)!.Value.Uid);
    }
}
