using Runner.Sandbox.Cgroups;
using Runner.Sandbox.Native;

namespace Runner.Sandbox.Tests.Cgroups.V2;

/// <summary>Cgroup v2 behaviour checked against a FAKE tree: what is written where, and parsing.</summary>
public sealed class CgroupV2FakeTreeTests : IDisposable
{
    private readonly FakeCgroupV2Tree _tree = new();

    public void Dispose() => _tree.Dispose();

    private static CgroupLimits Limits(long? quota = null, string? cpuset = null) =>
        new(MemoryBytes: 64 << 20, Pids: 32, CpuQuotaMicroseconds: quota, Cpuset: cpuset);

    [Fact]
    public void Detect_picks_v2_when_the_root_has_cgroup_controllers() =>
        Assert.Equal(2, _tree.Detect().Version);

    [Fact]
    public void A_memory_limit_is_written_to_memory_max_with_swap_off()
    {
        using var box = _tree.Detect().CreateBox("box-1", Limits());
        Assert.Equal((64 << 20).ToString(), _tree.Read("runner/box-1/memory.max"));
        Assert.Equal("0", _tree.Read("runner/box-1/memory.swap.max"));
    }

    [Fact]
    public void A_cpu_quota_is_written_as_quota_and_period_and_no_quota_as_max()
    {
        var cgroups = _tree.Detect();
        using (cgroups.CreateBox("limited", Limits(quota: 50_000)))
        {
            Assert.Equal("50000 100000", _tree.Read("runner/limited/cpu.max"));
        }

        using (cgroups.CreateBox("unlimited", Limits()))
        {
            Assert.Equal("max 100000", _tree.Read("runner/unlimited/cpu.max"));
        }
    }

    [Fact]
    public void Pids_max_is_written_and_cpuset_only_when_asked()
    {
        var cgroups = _tree.Detect();
        using (cgroups.CreateBox("plain", Limits()))
        {
            Assert.Equal("32", _tree.Read("runner/plain/pids.max"));
            Assert.Equal("", _tree.Read("runner/plain/cpuset.cpus"));
            Assert.DoesNotContain("cpuset", _tree.Read("runner/cgroup.subtree_control"));
        }

        using (cgroups.CreateBox("pinned", Limits(cpuset: "0-1")))
        {
            Assert.Equal("0-1", _tree.Read("runner/pinned/cpuset.cpus"));
            Assert.Contains("+cpuset", _tree.Read("runner/cgroup.subtree_control"));
        }
    }

    [Fact]
    public void The_controllers_are_enabled_in_the_root_and_the_parent_subtree_control()
    {
        using var box = _tree.Detect().CreateBox("box-1", Limits());
        Assert.Equal("+memory +cpu +pids", _tree.Read("cgroup.subtree_control"));
        Assert.Equal("+memory +cpu +pids", _tree.Read("runner/cgroup.subtree_control"));
    }

    [Fact]
    public void Controllers_already_enabled_are_not_written_again()
    {
        _tree.Write("cgroup.subtree_control", "cpu memory pids io\n");
        using var box = _tree.Detect().CreateBox("box-1", Limits());
        Assert.Equal("cpu memory pids io", _tree.Read("cgroup.subtree_control"));
    }

    [Fact]
    public void A_controller_missing_from_the_root_fails_closed_naming_it()
    {
        _tree.Write("cgroup.controllers", "cpu pids\n");
        var e = Assert.Throws<CgroupUnavailableException>(() => _tree.Detect().CreateBox("box-1", Limits()));
        Assert.Contains("memory", e.Message);
        Assert.Contains("Delegate=yes", e.Message);
        Assert.False(Directory.Exists(Path.Combine(_tree.Root, "runner", "box-1")));
    }

    [Fact]
    public void An_unwritable_parent_fails_closed_with_a_delegation_hint()
    {
        _tree.MkdirErrno = Errno.EACCES;
        var e = Assert.Throws<CgroupUnavailableException>(() => _tree.Detect().CreateBox("box-1", Limits()));
        Assert.Contains($"cannot create {_tree.Root}/runner: EACCES (Permission denied)", e.Message);
        Assert.Contains($"chown {Environment.UserName} {_tree.Root}/runner {_tree.Root}/runner/cgroup.procs", e.Message);
        Assert.Contains("Delegate=yes", e.Message);
    }

    [Fact]
    public void Usage_is_parsed_from_cpu_stat_memory_peak_memory_events_and_pids_peak()
    {
        using var box = _tree.Detect().CreateBox("box-1", Limits());
        _tree.Write("runner/box-1/cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 3\nnr_throttled 1\nthrottled_usec 20\n");
        _tree.Write("runner/box-1/memory.peak", "12345678\n");
        _tree.Write("runner/box-1/memory.events", "low 0\nhigh 0\nmax 7\noom 1\noom_kill 1\noom_group_kill 0\n");
        _tree.Write("runner/box-1/pids.peak", "9\n");

        Assert.Equal(new CgroupUsage(1_000_000, 500_000, 1_500_000, 12345678, true, 9), box.ReadUsage());
        Assert.Equal(1_500_000, box.ReadCpuNanoseconds());
    }

    [Fact]
    public void An_oom_event_without_a_kill_is_not_reported_as_an_oom_kill()
    {
        using var box = _tree.Detect().CreateBox("box-1", Limits());
        _tree.Write("runner/box-1/memory.events", "low 0\nhigh 0\nmax 7\noom 1\noom_kill 0\n");
        Assert.False(box.ReadUsage().OomKilled);
    }

    [Fact]
    public void Peaks_are_null_and_swap_is_left_alone_on_kernels_without_those_files()
    {
        _tree.Absent.UnionWith(["memory.peak", "pids.peak", "memory.swap.max"]);
        var cgroups = _tree.Detect();
        using (var box = cgroups.CreateBox("old-kernel", Limits()))
        {
            var usage = box.ReadUsage();
            Assert.Null(usage.MemoryPeakBytes);
            Assert.Null(usage.PidsPeak);
        }

        var lines = cgroups.Check();
        Assert.Contains(lines, l => l.StartsWith("memory.peak: not available", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("pids.peak: not available", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("swap: not controllable", StringComparison.Ordinal));
    }

    [Fact]
    public void KillAll_writes_cgroup_kill_when_the_kernel_has_it()
    {
        using var box = _tree.Detect().CreateBox("box-1", Limits());
        box.KillAll();
        Assert.Equal("1", _tree.Read("runner/box-1/cgroup.kill"));
        Assert.Empty(_tree.Killed);
    }

    [Fact]
    public void Without_cgroup_kill_KillAll_freezes_kills_each_process_and_thaws()
    {
        _tree.Absent.Add("cgroup.kill");
        using var box = _tree.Detect().CreateBox("box-1", Limits());
        _tree.Write("runner/box-1/cgroup.procs", "4001\n4002\n");

        box.KillAll();

        Assert.Equal([(4001, "1"), (4002, "1")], _tree.Killed);
        Assert.Equal("0", _tree.Read("runner/box-1/cgroup.freeze"));
    }

    [Fact]
    public void AddProcess_writes_the_pid_to_cgroup_procs_and_the_clone_fd_is_open()
    {
        var box = _tree.Detect().CreateBox("box-1", Limits());
        box.AddProcess(4242);
        Assert.Equal("4242", _tree.Read("runner/box-1/cgroup.procs"));
        Assert.True(box.CloneIntoFd >= 0);
        var fd = box.CloneIntoFd;
        Assert.True(File.Exists($"/proc/self/fd/{fd}") || Directory.Exists($"/proc/self/fd/{fd}"));

        box.Dispose();
        Assert.Equal(-1, box.CloneIntoFd);
        Assert.Equal([(4242, "0")], _tree.Killed);
    }

    [Fact]
    public void Dispose_removes_the_box_but_keeps_the_parent_and_is_idempotent()
    {
        var box = _tree.Detect().CreateBox("box-1", Limits());
        box.Dispose();
        box.Dispose();
        Assert.False(Directory.Exists(Path.Combine(_tree.Root, "runner", "box-1")));
        Assert.True(Directory.Exists(Path.Combine(_tree.Root, "runner")));
    }

    [Fact]
    public void CreateBox_over_a_leftover_box_kills_its_processes_and_recreates_it()
    {
        var cgroups = _tree.Detect();
        _ = cgroups.CreateBox("box-1", Limits(quota: 10_000));
        _tree.Write("runner/box-1/cgroup.procs", "5001\n");
        _tree.Kernel.MakeDirectory(Path.Combine(_tree.Root, "runner", "box-1", "nested"));
        _tree.Write("runner/box-1/nested/cgroup.procs", "5002\n");

        using var box = cgroups.CreateBox("box-1", Limits());

        Assert.Equal([5002, 5001], _tree.Killed.Select(k => k.Pid));
        Assert.False(Directory.Exists(Path.Combine(_tree.Root, "runner", "box-1", "nested")));
        Assert.Equal("max 100000", _tree.Read("runner/box-1/cpu.max"));
    }

    [Fact]
    public void A_nested_parent_enables_the_controllers_at_every_level()
    {
        using var box = _tree.Detect("judge/runner").CreateBox("box-1", Limits());
        Assert.Equal("+memory +cpu +pids", _tree.Read("judge/cgroup.subtree_control"));
        Assert.Equal("+memory +cpu +pids", _tree.Read("judge/runner/cgroup.subtree_control"));
        Assert.True(File.Exists(Path.Combine(_tree.Root, "judge/runner/box-1/memory.max")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("..")]
    [InlineData("a/b")]
    public void Box_names_that_could_escape_the_parent_are_rejected(string name) =>
        Assert.Throws<ArgumentException>(() => _tree.Detect().CreateBox(name, Limits()));

    [Fact]
    public void Check_reports_the_version_and_leaves_no_probe_behind()
    {
        var lines = _tree.Detect().Check();
        Assert.StartsWith($"at {_tree.Root} (parent runner)", lines[0]);
        Assert.Contains("memory.peak: available", lines);
        Assert.Contains("cgroup.kill: available", lines);
        Assert.Empty(Directory.GetDirectories(Path.Combine(_tree.Root, "runner")));
    }
}
