using System.Diagnostics;
using Runner.Sandbox.Cgroups;
using Runner.Sandbox.Cgroups.V1;
using Xunit.Abstractions;

namespace Runner.Sandbox.Tests.Cgroups.V1;

/// <summary>
/// Cgroup v1 on the REAL /sys/fs/cgroup of this machine (root, cgroup v1). Each test class
/// instance uses its own parent, runner-test-&lt;random&gt;, and removes it afterwards.
/// </summary>
public sealed class RealCgroupV1Tests(ITestOutputHelper output) : IDisposable
{
    private const string Root = "/sys/fs/cgroup";
    private readonly string _parent = $"runner-test-{Guid.NewGuid():N}"[..24];
    private readonly List<Process> _processes = [];
    private ICgroupHierarchy? _detected;

    private ICgroupHierarchy _cgroups => _detected ??= CgroupHierarchy.Detect(Root, _parent);

    public void Dispose()
    {
        foreach (var p in _processes)
        {
            try
            {
                p.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }

            p.Dispose();
        }

        foreach (var controller in CgroupV1Mounts.Known)
        {
            CgroupTree.Remove(CgroupSystemCalls.Default, Path.Combine(Root, controller, _parent));
        }
    }

    private static CgroupLimits Limits(long memory = 64 << 20, int pids = 64, long? quota = null, string? cpuset = null) =>
        new(memory, pids, quota, Cpuset: cpuset);

    private string Dir(string controller, string box) => Path.Combine(Root, controller, _parent, box);

    private static string Read(string path) => File.ReadAllText(path).Trim();

    /// <summary>
    /// Starts a shell that waits a moment before running <paramref name="script"/>, so the
    /// pid can be moved into the box before the interesting part begins.
    /// </summary>
    private Process StartInBox(IBoxCgroup box, string script)
    {
        var p = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", "sleep 0.2; " + script])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        _processes.Add(p);
        box.AddProcess(p.Id);
        return p;
    }

    [Fact]
    public void The_start_up_sweep_removes_a_box_cgroup_nobody_holds_the_slot_of_and_keeps_one_whose_slot_is_held()
    {
        var state = Directory.CreateTempSubdirectory("runner-sweep-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(state, "slots"));
            var orphan = _cgroups.CreateBox("box-3", Limits());
            var live = _cgroups.CreateBox("box-4", Limits());
            using var held = new FileStream(Path.Combine(state, "slots", "4.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);

            Runner.Sandbox.Launch.BoxSlot.SweepOrphans(state, _cgroups);

            Assert.Equal(["box-4"], _cgroups.ExistingBoxes());
            Assert.False(Directory.Exists(Dir("memory", "box-3")));
            live.Dispose();
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }

    [Fact]
    public void A_cgroup_parent_without_boxes_is_found_empty_by_its_link_count_alone()
    {
        var box = _cgroups.CreateBox("box-1", Limits());
        var parentDir = Path.Combine(Root, "memory", _parent);
        Assert.True(CgroupTree.MayHaveSubdirectories(parentDir));
        Assert.Equal(["box-1"], _cgroups.ExistingBoxes());

        box.Dispose();

        Assert.False(CgroupTree.MayHaveSubdirectories(parentDir));
        Assert.Empty(_cgroups.ExistingBoxes());
        Assert.True(CgroupTree.MayHaveSubdirectories(Path.Combine(Root, "memory", _parent, "no-such-cgroup")));
    }

    [Fact]
    public void Detect_finds_v1_with_each_controller_at_its_own_mount_from_mountinfo()
    {
        var v1 = Assert.IsType<CgroupV1Hierarchy>(_cgroups);
        Assert.Equal(1, v1.Version);
        Assert.Equal("/sys/fs/cgroup/cpu", v1.Mounts["cpu"]);
        Assert.Equal("/sys/fs/cgroup/cpuacct", v1.Mounts["cpuacct"]);
        Assert.Equal("/sys/fs/cgroup/memory", v1.Mounts["memory"]);
        Assert.Equal("/sys/fs/cgroup/pids", v1.Mounts["pids"]);
        Assert.Equal("/sys/fs/cgroup/cpuset", v1.Mounts["cpuset"]);
    }

    [Fact]
    public void Limits_are_written_with_memsw_equal_to_memory_so_there_is_no_swap()
    {
        using var box = _cgroups.CreateBox("box-1", Limits(memory: 32 << 20, pids: 7, quota: 25_000));
        Assert.Equal((32 << 20).ToString(), Read(Path.Combine(Dir("memory", "box-1"), "memory.limit_in_bytes")));
        Assert.Equal((32 << 20).ToString(), Read(Path.Combine(Dir("memory", "box-1"), "memory.memsw.limit_in_bytes")));
        Assert.Equal("25000", Read(Path.Combine(Dir("cpu", "box-1"), "cpu.cfs_quota_us")));
        Assert.Equal("100000", Read(Path.Combine(Dir("cpu", "box-1"), "cpu.cfs_period_us")));
        Assert.Equal("7", Read(Path.Combine(Dir("pids", "box-1"), "pids.max")));
        Assert.False(Directory.Exists(Dir("cpuset", "box-1")));
    }

    [Fact]
    public void A_process_over_the_memory_limit_is_oom_killed_and_reported()
    {
        using var box = _cgroups.CreateBox("oom", Limits(memory: 64 << 20));
        var p = StartInBox(box, "exec /usr/bin/python3 -c 'b = bytearray(300 << 20); b[::4096] = b\"x\" * len(b[::4096])'");
        Assert.True(p.WaitForExit(20_000));

        var usage = box.ReadUsage();
        output.WriteLine($"OOM: {usage}");
        Assert.Equal(137, p.ExitCode);
        Assert.True(usage.OomKilled);
        Assert.InRange(usage.MemoryPeakBytes!.Value, 16 << 20, 64 << 20);
    }

    [Fact]
    public void A_process_within_the_memory_limit_is_not_reported_as_oom_killed()
    {
        using var box = _cgroups.CreateBox("fits", Limits(memory: 64 << 20));
        var p = StartInBox(box, "exec /usr/bin/python3 -c 'b = bytearray(8 << 20)'");
        Assert.True(p.WaitForExit(20_000));
        Assert.Equal(0, p.ExitCode);
        Assert.False(box.ReadUsage().OomKilled);
    }

    [Fact]
    public void Cpu_time_of_a_busy_loop_is_accounted_and_cheap_to_poll()
    {
        using var box = _cgroups.CreateBox("busy", Limits());
        var p = StartInBox(box, "while :; do :; done");
        var clock = Stopwatch.StartNew();
        while (box.ReadCpuNanoseconds() < 10_000_000 && clock.ElapsedMilliseconds < 5000)
        {
            Thread.Sleep(5);
        }

        // The machine is shared, so compare with the kernel's per-process count, not wall time.
        var before = box.ReadCpuNanoseconds();
        var processBefore = ProcessCpuNanoseconds(p.Id);
        Thread.Sleep(1000);
        var used = box.ReadCpuNanoseconds() - before;
        var processUsed = ProcessCpuNanoseconds(p.Id) - processBefore;
        Assert.True(processUsed > 50_000_000, $"the busy loop got only {processUsed} ns");
        Assert.InRange(used, processUsed - 30_000_000, processUsed + 30_000_000);

        _ = box.ReadCpuNanoseconds();
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        clock.Restart();
        const int Polls = 10_000;
        for (var i = 0; i < Polls; i++)
        {
            _ = box.ReadCpuNanoseconds();
        }

        var perPoll = clock.Elapsed / Polls;
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - allocated);
        output.WriteLine($"ReadCpuNanoseconds: {perPoll.TotalMicroseconds:F1} us per poll, 0 bytes allocated");
        Assert.True(perPoll < TimeSpan.FromMilliseconds(0.2), $"ReadCpuNanoseconds took {perPoll.TotalMicroseconds} us");

        var usage = box.ReadUsage();
        Assert.True(usage.CpuUserNanoseconds > 40_000_000, $"user {usage.CpuUserNanoseconds}");
        Assert.InRange(usage.CpuUserNanoseconds + usage.CpuSystemNanoseconds, usage.CpuTotalNanoseconds / 2, usage.CpuTotalNanoseconds * 2);
    }

    [Fact]
    public void Each_usage_read_of_the_counters_held_open_sees_the_values_of_that_moment()
    {
        using var box = _cgroups.CreateBox("reread", Limits());
        var before = box.ReadUsage();
        var p = StartInBox(box, "exec /usr/bin/python3 -c 'b = bytearray(24 << 20); b[::4096] = b\"x\" * len(b[::4096])'");
        Assert.True(p.WaitForExit(20_000));
        Assert.Equal(0, p.ExitCode);

        var after = box.ReadUsage();
        output.WriteLine($"before: {before}\nafter: {after}");
        Assert.True(after.CpuTotalNanoseconds > before.CpuTotalNanoseconds + 1_000_000, $"{before.CpuTotalNanoseconds} -> {after.CpuTotalNanoseconds}");
        Assert.True(after.CpuUserNanoseconds + after.CpuSystemNanoseconds > before.CpuUserNanoseconds + before.CpuSystemNanoseconds);
        Assert.InRange(after.MemoryPeakBytes!.Value, 24 << 20, 64 << 20);
        Assert.True(after.MemoryPeakBytes > before.MemoryPeakBytes);
        Assert.Equal(after.CpuTotalNanoseconds, box.ReadCpuNanoseconds());
    }

    [Fact]
    public void The_usage_counters_are_held_open_from_the_box_s_creation_until_its_removal()
    {
        var box = _cgroups.CreateBox("counters", Limits());
        var held = OpenFilesUnder($"/{_parent}/counters/");
        output.WriteLine(string.Join("\n", held));
        Assert.Contains(held, f => f.EndsWith("/cpuacct.usage", StringComparison.Ordinal));
        Assert.Contains(held, f => f.EndsWith("/memory.max_usage_in_bytes", StringComparison.Ordinal));
        Assert.Contains(held, f => f.EndsWith("/memory.oom_control", StringComparison.Ordinal));

        box.Dispose();
        Assert.Empty(OpenFilesUnder($"/{_parent}/counters/"));
        Assert.False(Directory.Exists(Dir("memory", "counters")));
    }

    private static List<string> OpenFilesUnder(string part) =>
        [.. new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos()
            .Select(f => f.LinkTarget ?? "")
            .Where(t => t.Contains(part, StringComparison.Ordinal))];

    private static long ProcessCpuNanoseconds(int pid)
    {
        // Fields after the parenthesised command: state is [0], utime [11], stime [12], in 10 ms ticks.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11]) + long.Parse(fields[12])) * 10_000_000;
    }

    [Fact]
    public void A_cpu_quota_throttles_a_busy_loop()
    {
        using var box = _cgroups.CreateBox("throttled", Limits(quota: 20_000));
        StartInBox(box, "while :; do :; done");
        Thread.Sleep(300);
        var before = box.ReadCpuNanoseconds();
        Thread.Sleep(1000);
        var used = box.ReadCpuNanoseconds() - before;

        // 20 ms per 100 ms period: at most about 200 ms of CPU per second (less on a loaded machine).
        Assert.InRange(used, 1, 250_000_000);
    }

    [Fact]
    public async Task Pids_max_stops_a_shell_from_forking_past_the_limit()
    {
        using var box = _cgroups.CreateBox("forks", Limits(pids: 5));
        var p = StartInBox(box, "for i in 1 2 3 4 5 6 7 8 9 10 11 12; do sleep 30 & done; echo all forked");
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.InRange(CgroupFile.ReadPids(Path.Combine(Dir("pids", "forks"), "cgroup.procs")).Count, 1, 4);
        Assert.Equal(5, box.ReadUsage().PidsPeak);
        box.KillAll();
        Assert.DoesNotContain("all forked", await stdout.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Contains("fork", await stderr.WaitAsync(TimeSpan.FromSeconds(5)), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void KillAll_empties_the_box_of_a_process_tree()
    {
        using var box = _cgroups.CreateBox("tree", Limits());
        var p = StartInBox(box, "for i in 1 2 3 4 5 6; do sh -c 'sleep 60' & done; wait");
        var procs = Path.Combine(Dir("memory", "tree"), "cgroup.procs");
        var clock = Stopwatch.StartNew();
        while (CgroupFile.ReadPids(procs).Count < 13 && clock.ElapsedMilliseconds < 5000)
        {
            Thread.Sleep(10);
        }

        Assert.Equal(13, CgroupFile.ReadPids(procs).Count);
        clock.Restart();
        box.KillAll();
        var killTime = clock.Elapsed;
        output.WriteLine($"KillAll of 13 processes: {killTime.TotalMilliseconds:F1} ms");

        foreach (var controller in (string[])["memory", "cpu", "cpuacct", "pids"])
        {
            Assert.Empty(CgroupFile.ReadPids(Path.Combine(Dir(controller, "tree"), "cgroup.procs")));
        }

        Assert.True(p.WaitForExit(5000));
        Assert.True(killTime < TimeSpan.FromSeconds(1), $"KillAll took {killTime.TotalMilliseconds} ms");
    }

    [Fact]
    public void Dispose_kills_what_is_left_and_removes_every_box_directory()
    {
        var box = _cgroups.CreateBox("gone", Limits(cpuset: "0"));
        var p = StartInBox(box, "sleep 60");
        box.Dispose();
        box.Dispose();
        Assert.True(p.WaitForExit(5000));
        foreach (var controller in CgroupV1Mounts.Known)
        {
            Assert.False(Directory.Exists(Dir(controller, "gone")), controller);
            Assert.True(Directory.Exists(Path.Combine(Root, controller, _parent)), controller);
        }
    }

    [Fact]
    public void A_cpuset_pins_the_box_and_copies_mems_from_the_parent()
    {
        using var box = _cgroups.CreateBox("pinned", Limits(cpuset: "0"));
        Assert.Equal(Read("/sys/fs/cgroup/cpuset/cpuset.mems"), Read(Path.Combine(Root, "cpuset", _parent, "cpuset.mems")));
        Assert.Equal(Read("/sys/fs/cgroup/cpuset/cpuset.cpus"), Read(Path.Combine(Root, "cpuset", _parent, "cpuset.cpus")));
        Assert.Equal("0", Read(Path.Combine(Dir("cpuset", "pinned"), "cpuset.cpus")));
        var p = StartInBox(box, "sleep 60");
        var status = File.ReadAllLines($"/proc/{p.Id}/status");
        Assert.Contains("Cpus_allowed_list:\t0", status);
    }

    [Fact]
    public void CreateBox_over_a_box_left_by_a_crashed_run_kills_it_and_starts_clean()
    {
        var crashed = _cgroups.CreateBox("again", Limits(quota: 10_000));
        var old = StartInBox(crashed, "sleep 60");
        Thread.Sleep(300);

        using var box = _cgroups.CreateBox("again", Limits());

        Assert.True(old.WaitForExit(5000));
        Assert.Equal("-1", Read(Path.Combine(Dir("cpu", "again"), "cpu.cfs_quota_us")));
        Assert.Empty(CgroupFile.ReadPids(Path.Combine(Dir("memory", "again"), "cgroup.procs")));
        Assert.Equal(0, box.ReadCpuNanoseconds());
    }

    [Fact]
    public void Check_reports_this_machine_and_leaves_no_probe_behind()
    {
        var lines = _cgroups.Check();
        Assert.Equal($"controllers memory, cpu, cpuacct, pids, cpuset at /sys/fs/cgroup (parent {_parent})", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("swap accounting: on", StringComparison.Ordinal));
        Assert.Contains("pids.peak: available", lines);
        foreach (var controller in (string[])["memory", "cpu", "cpuacct", "pids"])
        {
            Assert.Empty(Directory.GetDirectories(Path.Combine(Root, controller, _parent)));
        }
    }

    [Fact]
    public void A_cgroup_root_with_no_controllers_mounted_fails_closed()
    {
        var cgroups = CgroupHierarchy.Detect("/nonexistent/cgroup", _parent);
        var e = Assert.Throws<CgroupUnavailableException>(() => cgroups.CreateBox("box-1", Limits()));
        Assert.Contains("'memory' is not mounted under /nonexistent/cgroup", e.Message);
        Assert.Throws<CgroupUnavailableException>(cgroups.Check);
    }

    [Fact]
    public void An_uncreatable_parent_fails_closed_with_mkdir_and_chown_instructions()
    {
        var mounts = new[] { "memory", "cpu", "cpuacct", "pids" }.ToDictionary(c => c, c => $"/proc/no-such-dir/{c}");
        var cgroups = new CgroupV1Hierarchy("/proc/no-such-dir", mounts, "runner", CgroupSystemCalls.Default);
        var e = Assert.Throws<CgroupUnavailableException>(() => cgroups.CreateBox("box-3", Limits()));
        Assert.StartsWith("cannot create /proc/no-such-dir/memory/runner: ENOENT (No such file or directory). Runner needs a writable cgroup for memory limits; as root run: ", e.Message);
        Assert.Contains($"mkdir -p /proc/no-such-dir/{{memory,cpu,cpuacct,pids}}/runner && chown -R {Environment.UserName} /proc/no-such-dir/{{memory,cpu,cpuacct,pids}}/runner", e.Message);
    }

    [Fact]
    public void A_parent_chowned_to_an_unprivileged_user_lets_that_user_create_and_fill_a_box()
    {
        // What the fail-closed hint tells an operator to do, checked from a real uid 65534 shell.
        using (_cgroups.CreateBox("probe", Limits()))
        {
        }

        var parents = (string[])["memory", "cpu", "cpuacct", "pids"];
        foreach (var c in parents)
        {
            Chown(Path.Combine(Root, c, _parent));
        }

        var script = string.Join(" && ", parents.Select(c => $"mkdir {Dir(c, "rootless")} && echo $$ > {Dir(c, "rootless")}/cgroup.procs"))
            + $" && echo 16777216 > {Dir("memory", "rootless")}/memory.limit_in_bytes"
            + $" && echo 16777216 > {Dir("memory", "rootless")}/memory.memsw.limit_in_bytes"
            + $" && echo 4 > {Dir("pids", "rootless")}/pids.max && echo ok";
        var p = Process.Start(new ProcessStartInfo("setpriv", ["--reuid", "65534", "--regid", "65534", "--clear-groups", "sh", "-c", script])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        _processes.Add(p);
        Assert.True(p.WaitForExit(10_000));
        Assert.Equal("ok", p.StandardOutput.ReadToEnd().Trim() + p.StandardError.ReadToEnd().Trim());

        var other = (CgroupV1Hierarchy)_cgroups;
        using var box = new CgroupV1Hierarchy(Root, other.Mounts, _parent, CgroupSystemCalls.Default).CreateBox("rootless", Limits());
        Assert.Equal((64 << 20).ToString(), Read(Path.Combine(Dir("memory", "rootless"), "memory.limit_in_bytes")));

        static void Chown(string path)
        {
            var chown = Process.Start("chown", ["-R", "65534:65534", path])!;
            chown.WaitForExit();
            Assert.Equal(0, chown.ExitCode);
        }
    }
}
