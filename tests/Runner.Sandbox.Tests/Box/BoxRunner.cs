using System.Diagnostics;

namespace Runner.Sandbox.Tests.Box;

/// <summary>Runs real boxes on this machine, under a cgroup parent and state directory of the tests' own.</summary>
internal static class BoxRunner
{
    public const string CgroupParent = "runner-tests";

    /// <summary>
    /// The default state directory on purpose: slot locks live there, and every launcher that
    /// shares the uid range (other test assemblies running in parallel included) must share them.
    /// Eight slots, not one per core: the concurrency cases run eight boxes at once.
    /// </summary>
    public static readonly SandboxOptions Options = new() { CgroupParent = CgroupParent, SlotCount = 8 };

    public static SandboxResult Run(params string[] argv) => Run(new SandboxSpec { Argv = argv });

    public static SandboxResult Run(SandboxSpec spec) => Runner.Sandbox.Box.Run(spec, Options);

    public static SandboxResult Sh(string script, SandboxLimits? limits = null) =>
        Run(new SandboxSpec { Argv = ["/bin/sh", "-c", script], Limits = limits ?? new SandboxLimits() });

    public static SandboxResult Python(string code, SandboxLimits? limits = null) =>
        Run(new SandboxSpec { Argv = ["python3", "-c", code], Limits = limits ?? new SandboxLimits() });

    /// <summary>Host pids whose command line contains <paramref name="marker"/>.</summary>
    public static List<int> HostPidsWith(string marker, bool commandStartsWithMarker = false)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || pid == Environment.ProcessId) continue;
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (commandStartsWithMarker ? cmdline.StartsWith(marker) : cmdline.Contains(marker)) found.Add(pid);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return found;
    }

    /// <summary>The real (host) uid of a host pid, from /proc/PID/status.</summary>
    public static int HostUidOf(int pid)
    {
        var line = File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("Uid:"));
        return int.Parse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1]);
    }

    /// <summary>Waits until <paramref name="condition"/> holds or fails after <paramref name="timeout"/>.</summary>
    public static T WaitFor<T>(Func<T> probe, Func<T, bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = probe();
            if (condition(value)) return value;
            if (clock.Elapsed > timeout) throw new TimeoutException($"timed out waiting for {what}");
            Thread.Sleep(20);
        }
    }

    /// <summary>
    /// Box cgroups left under the tests' parent in any v1 controller, once every box run so far
    /// has been torn down (a cold box's teardown follows its result).
    /// </summary>
    public static List<string> LeftoverCgroups()
    {
        Runner.Sandbox.Box.DrainTeardowns();
        return new[] { "memory", "cpu", "cpuacct", "pids", "cpuset" }
            .Select(c => $"/sys/fs/cgroup/{c}/{CgroupParent}")
            .Where(Directory.Exists)
            .SelectMany(Directory.EnumerateDirectories)
            .ToList();
    }
}

/// <summary>Box tests run one at a time (except where a test starts boxes concurrently itself), so host-side checks see only their own box.</summary>
[CollectionDefinition("Boxes", DisableParallelization = true)]
public sealed class BoxesCollection;
