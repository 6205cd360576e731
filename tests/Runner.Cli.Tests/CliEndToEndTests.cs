using System.Diagnostics;
using System.Text.Json;

namespace Runner.Cli.Tests;

/// <summary>The runner executable running real boxes, as scripts will call it.</summary>
public class CliEndToEndTests
{
    private static readonly string Runner = Path.Combine(AppContext.BaseDirectory, "runner");

    private static Task<(int Exit, string Stdout, string Stderr)> RunAsync(IEnumerable<string> argv, IDictionary<string, string>? env = null)
    {
        var all = new Dictionary<string, string> { ["RUNNER_CGROUP_PARENT"] = "runner-cli-tests" };
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) all[k] = v;
        return ChildProcess.RunAsync(argv, all);
    }

    [Fact]
    public async Task Runner_run_json_prints_one_object_with_every_contract_field_and_exits_0()
    {
        var (exit, stdout, stderr) = await RunAsync([Runner, "run", "--json", "--", "/bin/echo", "hello"]);
        Assert.Equal(0, exit);
        Assert.Equal("", stderr);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.Equal(
            ["status", "exit_code", "signal", "cpu_time", "user_time", "system_time", "wall_time", "memory_peak", "oom_killed",
             "stdout", "stderr", "stdout_truncated", "stderr_truncated", "message"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("ok", root.GetProperty("status").GetString());
        Assert.Equal("hello\n", root.GetProperty("stdout").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("signal").ValueKind);
        Assert.True(root.GetProperty("memory_peak").GetInt64() > 0);
    }

    [Fact]
    public async Task A_launcher_whose_own_hard_limits_are_below_the_box_defaults_still_launches_with_its_own()
    {
        // A small host (the cgroup v2 guest) has a SIGPENDING hard limit below the box's 4096;
        // raising a hard limit needs CAP_SYS_RESOURCE in the initial namespace, so the box takes
        // the launcher's own value instead of failing every launch.
        var (exit, stdout, stderr) = await RunAsync(["prlimit", "--sigpending=1000:1000", "--msgqueue=4096:4096", "--",
            Runner, "run", "--", "awk", "/Max (pending signals|msgqueue size)/ { print $4 }", "/proc/self/limits"]);
        Assert.True(exit == 0, stderr);
        Assert.Equal("1000\n4096\n", stdout);
    }

    [Fact]
    public async Task A_program_that_hits_a_limit_makes_runner_exit_1_and_name_the_limit()
    {
        var (exit, stdout, stderr) = await RunAsync([Runner, "run", "--time", "0.3", "--", "/bin/sh", "-c", "while :; do :; done"]);
        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        Assert.StartsWith("runner: status=time_limit ", stderr);
        Assert.Contains("CPU time limit of 0.3 s exceeded", stderr);
    }

    [Fact]
    public async Task Runner_run_exits_only_once_its_box_is_torn_down_leaving_no_cgroup_behind()
    {
        // A parent of this test's own: nothing else launches boxes under it.
        var tag = $"runner-cli-teardown-{Random.Shared.Next(100_000, 999_999)}";
        string[] controllers = ["memory", "cpu", "cpuacct", "pids", "cpuset"];
        try
        {
            var (exit, stdout, stderr) = await RunAsync([Runner, "run", "--", "/bin/echo", "torn down"],
                new Dictionary<string, string> { ["RUNNER_CGROUP_PARENT"] = tag });

            Assert.True(exit == 0, $"exit {exit}: {stderr}");
            Assert.Equal("torn down\n", stdout);
            var parents = controllers.Select(c => $"/sys/fs/cgroup/{c}/{tag}").Where(Directory.Exists).ToList();
            Assert.NotEmpty(parents);
            Assert.Empty(parents.SelectMany(Directory.EnumerateDirectories));
        }
        finally
        {
            foreach (var c in controllers)
                if (Directory.Exists($"/sys/fs/cgroup/{c}/{tag}")) Directory.Delete($"/sys/fs/cgroup/{c}/{tag}");
        }
    }

    [Fact]
    public async Task A_program_the_box_cannot_execute_is_a_one_line_usage_error_with_exit_2_and_no_result()
    {
        var (exit, stdout, stderr) = await RunAsync([Runner, "run", "--json", "--", "/no/such/program"]);
        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.StartsWith("runner: PROGRAM: '/no/such/program' does not exist in the box", stderr);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task A_rootless_runner_with_a_delegated_cgroup_parent_maps_root_to_the_invoking_user()
    {
        const int nobody = 65534;
        var tag = $"runner-rootless-{Random.Shared.Next(100_000, 999_999)}";
        var install = Directory.CreateTempSubdirectory("runner-rootless-bin-");
        var state = Path.Combine("/tmp", tag);
        string[] controllers = ["memory", "cpu", "cpuacct", "pids"];
        try
        {
            // A copy of the CLI that an unprivileged user can read and execute.
            foreach (var file in Directory.EnumerateFiles(AppContext.BaseDirectory))
                File.Copy(file, Path.Combine(install.FullName, Path.GetFileName(file)));
            Directory.CreateDirectory(Path.Combine(install.FullName, "seccomp"));
            foreach (var file in Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "seccomp")))
                File.Copy(file, Path.Combine(install.FullName, "seccomp", Path.GetFileName(file)));
            Chmod("-R", "a+rX", install.FullName);

            // Delegation as the README describes it: a parent cgroup per controller, owned by the user.
            foreach (var c in controllers)
            {
                var dir = $"/sys/fs/cgroup/{c}/{tag}";
                Directory.CreateDirectory(dir);
                Chown("-R", $"{nobody}:{nobody}", dir);
            }

            var (exit, stdout, stderr) = await RunAsync(
                ["setpriv", $"--reuid={nobody}", $"--regid={nobody}", "--clear-groups", Path.Combine(install.FullName, "runner"),
                 "run", "--json", "--", "/bin/sh", "-c", "id -u; cat /proc/self/uid_map; touch /box/ok && echo wrote"],
                new Dictionary<string, string> { ["RUNNER_CGROUP_PARENT"] = tag, ["RUNNER_STATE_DIR"] = state, ["HOME"] = "/tmp" });

            Assert.True(exit == 0, $"exit {exit}: {stdout} {stderr}");
            using var json = JsonDocument.Parse(stdout);
            var lines = json.RootElement.GetProperty("stdout").GetString()!.Split('\n');
            Assert.Equal("0", lines[0]);
            Assert.Equal(["0", nobody.ToString(), "1"], lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
            Assert.Equal("wrote", lines[2]);
        }
        finally
        {
            RootlessLeftovers.Remove(tag, controllers, install, state);
        }
    }

    private static void Chmod(params string[] args) => Host("chmod", args);

    private static void Chown(params string[] args) => Host("chown", args);

    private static void Host(string program, string[] args)
    {
        using var p = Process.Start(program, args);
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }
}
