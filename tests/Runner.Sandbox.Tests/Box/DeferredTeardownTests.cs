using System.Diagnostics.Metrics;
using Runner.Sandbox.HostFiles;
using Runner.Sandbox.Launch;
using Runner.Sandbox.Metrics;

namespace Runner.Sandbox.Tests.Box;

/// <summary>
/// A cold run returns once nothing of its program is left; its box is torn down afterwards
/// (<see cref="BoxTeardown"/>). These hold the teardown thread with a teardown of their own to
/// see the state between the result and the teardown.
/// </summary>
[Collection("Boxes")]
public class DeferredTeardownTests
{
    [Fact]
    public void A_cold_run_returns_before_its_teardown_yet_nothing_of_the_program_outlives_the_result()
    {
        var marker = $"0.1{Random.Shared.Next(100_000, 999_999)}";
        var work = Directory.CreateTempSubdirectory("runner-teardown-");
        File.SetUnixFileMode(work.FullName, (UnixFileMode)0x1ed);
        using var held = HoldTeardowns();
        try
        {
            var r = BoxRunner.Run(new SandboxSpec
            {
                Argv = ["/bin/sh", "-c", $"echo {marker} > /box/out; /bin/sleep {marker}"],
                WorkDir = work.FullName,
            });

            Assert.True(r.Status == SandboxStatus.Ok, r.Message + r.Stderr);
            // The result is out and the box is not torn down yet: its cgroup is still there.
            Assert.True(Runner.Sandbox.Box.PendingTeardowns >= 1);
            Assert.NotEmpty(LeftoverCgroupsNow());
            // But nothing of the program is: no process of it, its file already the caller's.
            Assert.Empty(BoxRunner.HostPidsWith(marker));
            var output = Path.Combine(work.FullName, "out");
            Assert.Equal($"{marker}\n", File.ReadAllText(output));
            Assert.Equal(0, OwnerOf(output));
            Assert.Equal(0, OwnerOf(work.FullName));
        }
        finally
        {
            held.Release();
            work.Delete(recursive: true);
        }
        Runner.Sandbox.Box.DrainTeardowns();
        Assert.Equal(0, Runner.Sandbox.Box.PendingTeardowns);
        Assert.Empty(LeftoverCgroupsNow());
    }

    [Fact]
    public void Draining_leaves_no_cgroup_mount_or_process_of_the_boxes_behind()
    {
        var mountsBefore = File.ReadAllLines("/proc/self/mountinfo").Length;
        var hostPids = new List<int>();
        using (var held = HoldTeardowns())
        {
            for (var i = 0; i < 3; i++)
            {
                var r = BoxRunner.Sh("echo $$");
                Assert.True(r.Status == SandboxStatus.Ok, r.Message);
            }
            // Their inits may still be there (they wait for the teardown to go); their cgroups are.
            hostPids.AddRange(BoxUidProcesses());
            Assert.NotEmpty(LeftoverCgroupsNow());
        }

        Runner.Sandbox.Box.DrainTeardowns();

        Assert.Equal(0, Runner.Sandbox.Box.PendingTeardowns);
        Assert.Empty(LeftoverCgroupsNow());
        Assert.Empty(BoxUidProcesses());
        Assert.DoesNotContain(hostPids, pid => Directory.Exists($"/proc/{pid}"));
        Assert.Equal(mountsBefore, File.ReadAllLines("/proc/self/mountinfo").Length);
    }

    [Fact]
    public void A_launch_that_finds_every_slot_held_by_a_box_in_teardown_tears_that_box_down_first()
    {
        // Without that, the second launch would wait for the held teardown thread and time out.
        var oneSlot = BoxRunner.Options with { SlotCount = 1, SlotWait = TimeSpan.FromSeconds(5) };
        using var held = HoldTeardowns();

        var first = Runner.Sandbox.Box.Run(new SandboxSpec { Argv = ["/bin/true"] }, oneSlot);
        Assert.True(first.Status == SandboxStatus.Ok, first.Message);
        Assert.NotEmpty(LeftoverCgroupsNow());
        var second = Runner.Sandbox.Box.Run(new SandboxSpec { Argv = ["/bin/sh", "-c", "echo second"] }, oneSlot);

        Assert.True(second.Status == SandboxStatus.Ok, second.Message);
        Assert.Equal("second\n", second.Stdout);
        // The first box is gone; the second one's cgroup (the same slot's) waits for its own teardown.
        Assert.Single(LeftoverCgroupsNow().Select(Path.GetFileName).Distinct());
        held.Release();
        Runner.Sandbox.Box.DrainTeardowns();
        Assert.Empty(LeftoverCgroupsNow());
    }

    [Fact]
    public void With_teardowns_on_drain_only_a_box_waits_for_the_drain_and_nothing_is_left_after_it()
    {
        Runner.Sandbox.Box.DrainTeardowns();
        Runner.Sandbox.Box.TeardownsInBackground = false;
        try
        {
            var r = BoxRunner.Sh("echo drained");
            Assert.True(r.Status == SandboxStatus.Ok, r.Message);
            Assert.Equal("drained\n", r.Stdout);
            // No thread takes it: it is still queued a while later.
            Thread.Sleep(100);
            Assert.Equal(1, Runner.Sandbox.Box.PendingTeardowns);
            Assert.NotEmpty(LeftoverCgroupsNow());
            Runner.Sandbox.Box.DrainTeardowns();
            Assert.Equal(0, Runner.Sandbox.Box.PendingTeardowns);
            Assert.Empty(LeftoverCgroupsNow());
        }
        finally
        {
            Runner.Sandbox.Box.TeardownsInBackground = true;
        }
    }

    [Fact]
    public void A_teardown_that_fails_is_counted_and_reported_not_thrown_and_the_next_ones_still_run()
    {
        var recorded = 0L;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == SandboxMetrics.MeterName && instrument.Name == "runner.box.teardown_failures")
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref recorded, value));
        listener.Start();
        var failuresBefore = Runner.Sandbox.Box.TeardownFailures;

        BoxTeardown.Defer(() => throw new IOException("cgroup busy (a test's own teardown)"));
        var r = BoxRunner.Run("/bin/true");
        Runner.Sandbox.Box.DrainTeardowns();

        Assert.True(r.Status == SandboxStatus.Ok, r.Message);
        Assert.Equal(failuresBefore + 1, Runner.Sandbox.Box.TeardownFailures);
        Assert.Equal("cgroup busy (a test's own teardown)", Runner.Sandbox.Box.LastTeardownFailure);
        Assert.Equal(1, Interlocked.Read(ref recorded));
        Assert.Empty(LeftoverCgroupsNow());
    }

    private static long OwnerOf(string path) => FileStatus.OfPathNoFollow(path) is { } status ? status.Uid : -1;

    /// <summary>Box cgroups under the tests' parent right now, without draining first.</summary>
    private static List<string> LeftoverCgroupsNow() =>
        new[] { "memory", "cpu", "cpuacct", "pids", "cpuset" }
            .Select(c => $"/sys/fs/cgroup/{c}/{BoxRunner.CgroupParent}")
            .Where(Directory.Exists)
            .SelectMany(Directory.EnumerateDirectories)
            .ToList();

    /// <summary>Host pids running with a uid of the tests' slots (the boxes' inits and programs).</summary>
    private static List<int> BoxUidProcesses()
    {
        var options = BoxRunner.Options;
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var uid = BoxRunner.HostUidOf(pid);
                if (uid >= options.FirstBoxUid && uid < options.FirstBoxUid + options.SlotCount) found.Add(pid);
            }
            catch (IOException) { }
            catch (InvalidOperationException) { }
        }
        return found;
    }

    /// <summary>Keeps the teardown thread busy until released, so the boxes run meanwhile stay in teardown.</summary>
    private static HeldTeardowns HoldTeardowns()
    {
        var held = new HeldTeardowns();
        BoxTeardown.Defer(held.Wait);
        Assert.True(held.Started.Wait(TimeSpan.FromSeconds(10)), "the teardown thread did not take the holding teardown");
        return held;
    }

    private sealed class HeldTeardowns : IDisposable
    {
        private readonly ManualResetEventSlim _release = new();

        public ManualResetEventSlim Started { get; } = new();

        public void Wait()
        {
            Started.Set();
            _release.Wait();
        }

        public void Release() => _release.Set();

        public void Dispose() => Release();
    }
}
