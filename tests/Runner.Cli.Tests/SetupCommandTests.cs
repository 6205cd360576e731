using System.Diagnostics;
using System.Text.Json;

namespace Runner.Cli.Tests;

/// <summary>
/// <c>runner setup</c> hands a rootless user the cgroups its boxes need: on this host's cgroup v1
/// for real (then the user runs a box in them), on cgroup v2 against a tree laid out as the
/// kernel would, since this host has none (the v2 VM tests cover the layout it produces).
/// </summary>
public class SetupCommandTests
{
    private const int Nobody = 65534;
    private static readonly string Runner = Path.Combine(AppContext.BaseDirectory, "runner");
    private static readonly string[] V1Controllers = ["memory", "cpu", "cpuacct", "pids", "cpuset"];

    [Fact]
    public async Task Runner_setup_gives_a_rootless_user_a_cgroup_parent_per_controller_in_which_its_boxes_run()
    {
        Assert.False(File.Exists("/sys/fs/cgroup/cgroup.controllers"), "this test is for a cgroup v1 host");
        var tag = $"runner-setup-{Random.Shared.Next(100_000, 999_999)}";
        var install = Directory.CreateTempSubdirectory("runner-setup-bin-");
        var state = Path.Combine("/tmp", tag);
        try
        {
            var (exit, stdout, stderr) = await RunAsync([Runner, "setup", "--user", "nobody", "--cgroup-parent", tag]);
            Assert.True(exit == 0, $"exit {exit}: {stdout}{stderr}");
            Assert.EndsWith($"export RUNNER_CGROUP_PARENT={tag}\n", stdout);
            foreach (var c in V1Controllers)
            {
                Assert.Equal($"{Nobody}", (await RunAsync(["stat", "-c", "%u", $"/sys/fs/cgroup/{c}/{tag}"])).Stdout.Trim());
                Assert.Equal($"{Nobody}", (await RunAsync(["stat", "-c", "%u", $"/sys/fs/cgroup/{c}/{tag}/cgroup.procs"])).Stdout.Trim());
            }
            Assert.Equal(File.ReadAllText("/sys/fs/cgroup/cpuset/cpuset.cpus"), File.ReadAllText($"/sys/fs/cgroup/cpuset/{tag}/cpuset.cpus"));

            // The user runs a box there, with a memory limit and a CPU pin only these cgroups can give.
            foreach (var file in Directory.EnumerateFiles(AppContext.BaseDirectory))
                File.Copy(file, Path.Combine(install.FullName, Path.GetFileName(file)));
            Directory.CreateDirectory(Path.Combine(install.FullName, "seccomp"));
            foreach (var file in Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "seccomp")))
                File.Copy(file, Path.Combine(install.FullName, "seccomp", Path.GetFileName(file)));
            Assert.Equal(0, (await RunAsync(["chmod", "-R", "a+rX", install.FullName])).Exit);
            var run = await RunAsync(
                ["setpriv", $"--reuid={Nobody}", $"--regid={Nobody}", "--clear-groups", Path.Combine(install.FullName, "runner"),
                 "run", "--json", "--memory", "32M", "--cpuset", "0", "--", "/bin/sh", "-c", "id -u"],
                new Dictionary<string, string> { ["RUNNER_CGROUP_PARENT"] = tag, ["RUNNER_STATE_DIR"] = state, ["HOME"] = "/tmp" });
            Assert.True(run.Exit == 0, $"exit {run.Exit}: {run.Stdout} {run.Stderr}");
            using var json = JsonDocument.Parse(run.Stdout);
            Assert.Equal("0\n", json.RootElement.GetProperty("stdout").GetString());
        }
        finally
        {
            RootlessLeftovers.Remove(tag, V1Controllers, install, state);
        }
    }

    [Fact]
    public async Task Runner_setup_on_cgroup_v2_delegates_a_subtree_with_the_controllers_enabled_and_a_launcher_leaf()
    {
        var root = Directory.CreateTempSubdirectory("runner-setup-v2-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(root, "cgroup.controllers"), "cpuset cpu io memory pids\n");
            File.WriteAllText(Path.Combine(root, "cgroup.subtree_control"), "cpu\n");
            // What the kernel creates with a cgroup directory.
            var dir = Directory.CreateDirectory(Path.Combine(root, "runner-alice")).FullName;
            foreach (var f in new[] { "cgroup.procs", "cgroup.subtree_control", "cgroup.threads", "memory.max" })
                File.WriteAllText(Path.Combine(dir, f), "");

            var (exit, stdout, stderr) = await RunAsync([Runner, "setup", "--user", "nobody", "--cgroup-parent", "runner-alice", "--cgroup-root", root]);
            Assert.True(exit == 0, $"exit {exit}: {stdout}{stderr}");
            Assert.Equal("+memory +pids +cpuset", File.ReadAllText(Path.Combine(root, "cgroup.subtree_control")));
            Assert.Equal("+memory +cpu +pids +cpuset", File.ReadAllText(Path.Combine(dir, "cgroup.subtree_control")));
            Assert.True(Directory.Exists(Path.Combine(dir, "launcher")));
            foreach (var owned in new[] { "", "cgroup.procs", "cgroup.subtree_control", "cgroup.threads", "launcher" })
                Assert.Equal($"{Nobody}", (await RunAsync(["stat", "-c", "%u", Path.Combine(dir, owned)])).Stdout.Trim());
            // Limits stay root's: the user may not raise its own subtree's.
            Assert.Equal("0", (await RunAsync(["stat", "-c", "%u", Path.Combine(dir, "memory.max")])).Stdout.Trim());
            Assert.Contains($"{dir}/launcher", stdout);
            Assert.EndsWith("export RUNNER_CGROUP_PARENT=runner-alice\n", stdout);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData(new[] { "setup" }, "runner: --user: expected the user who will run runner, by name or uid\n")]
    [InlineData(new[] { "setup", "--user", "no-such-user-here" }, "runner: --user: no user 'no-such-user-here' in /etc/passwd; give a name listed there or a uid\n")]
    [InlineData(new[] { "setup", "--user", "nobody", "--cgroup-parent", "a/b" }, "runner: --cgroup-parent: expected one cgroup name such as runner-nobody, got 'a/b'\n")]
    public async Task Runner_setup_with_a_bad_argument_prints_one_line_and_exits_2(string[] args, string message)
    {
        var (exit, stdout, stderr) = await RunAsync([Runner, .. args]);
        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.Equal(message, stderr);
    }

    private static Task<(int Exit, string Stdout, string Stderr)> RunAsync(IEnumerable<string> argv, IDictionary<string, string>? env = null) =>
        ChildProcess.RunAsync(argv, env);
}
