using System.Diagnostics;
using Runner.Security.Tests.Containment;

namespace Runner.Security.Tests;

/// <summary>
/// A box is watched by the process that launched it (the wall limit, the output cap). If that
/// process is SIGKILLed (an OOM kill, a deploy, kill -9), the box must not run on unwatched.
/// </summary>
[Collection("Attacks")]
public class SupervisorDeathAttacks(Arena arena)
{
    [Fact]
    public void A_box_dies_within_a_second_when_the_runner_that_supervises_it_is_killed()
    {
        using var runner = StartRunner("run", "--wall-time", "60", "--time", "60", "--", "/bin/sh", "-c", "sleep 50 & sleep 55");
        var clock = Stopwatch.StartNew();
        while (LiveBoxProcesses().Count < 3 && clock.Elapsed < TimeSpan.FromSeconds(20))
            Thread.Sleep(20);
        var before = LiveBoxProcesses();
        Assert.True(before.Count >= 3, $"the box did not start: {string.Join('\n', before)}");

        runner.Kill(); // SIGKILL
        clock.Restart();
        List<string> left;
        while ((left = LiveBoxProcesses()).Count > 0 && clock.Elapsed < TimeSpan.FromSeconds(5))
            Thread.Sleep(10);
        var gone = clock.Elapsed;
        Assert.True(left.Count == 0, $"box processes still alive {gone.TotalSeconds:0.0} s after their runner was killed:\n{string.Join('\n', left)}");
        Assert.True(gone < TimeSpan.FromSeconds(1), $"the box took {gone.TotalSeconds:0.00} s to die");

        // The killed runner could not remove its box's cgroup; the next engine to start sweeps it.
        using var next = StartRunner("run", "--", "/bin/true");
        Assert.True(next.WaitForExit(30_000), "the next runner did not finish");
        Assert.Equal(0, next.ExitCode);
        HostInvariants.Check(arena);
    }

    /// <summary>
    /// Processes with one of the suite's box uids that are not zombies: a killed process stays
    /// listed until the host's init reaps it, which is the host's business, not the box's.
    /// </summary>
    private List<string> LiveBoxProcesses()
    {
        var live = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _)) continue;
            try
            {
                var status = File.ReadAllLines(Path.Combine(dir, "status"));
                var uid = int.Parse(status.First(l => l.StartsWith("Uid:")).Split('\t')[1]);
                var state = status.First(l => l.StartsWith("State:"));
                if (uid >= Arena.FirstBoxUid && uid < Arena.FirstBoxUid + arena.Options.SlotCount && !state.Contains("(zombie)"))
                    live.Add($"{dir}: {state}");
            }
            catch (IOException) { }
            catch (InvalidOperationException) { }
        }
        return live;
    }

    private Process StartRunner(params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "runner"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["RUNNER_CGROUP_PARENT"] = Arena.CgroupParent;
        start.Environment["RUNNER_FIRST_UID"] = Arena.FirstBoxUid.ToString();
        start.Environment["RUNNER_SLOTS"] = arena.Options.SlotCount.ToString();
        start.Environment["RUNNER_STATE_DIR"] = arena.Options.StateDirectory!;
        return Process.Start(start) ?? throw new InvalidOperationException("cannot start the runner apphost");
    }
}
