using System.Diagnostics;

namespace Runner.Security.Tests.Containment;

/// <summary>
/// What must hold on the host after every hostile run: no process with a box uid of the
/// suite's private range, no box cgroup under the suite's parent, every sentinel file exactly
/// as it was, and the engine still able to run a plain box.
/// </summary>
internal static class HostInvariants
{
    private static readonly string[] Controllers = ["memory", "cpu", "cpuacct", "pids", "cpuset"];

    public static void Check(Arena arena)
    {
        // A box is torn down after its result: what is checked is the host once that is done.
        Runner.Sandbox.Box.DrainTeardowns();
        NoProcessWithABoxUid(arena.Options);
        NoCgroupLeft(arena.Options.CgroupParent);
        SentinelsUnchanged(arena);
        WorkerStillHealthy(arena);
    }

    /// <summary>
    /// The suite's uid range is its own (see <see cref="Arena"/>), so any process in it is a
    /// leftover of this suite's boxes. The kernel tears a PID namespace down asynchronously, so
    /// allow it a moment.
    /// </summary>
    public static void NoProcessWithABoxUid(SandboxOptions options)
    {
        var clock = Stopwatch.StartNew();
        List<string> left;
        while ((left = BoxUidProcesses(options)).Count > 0 && clock.Elapsed < TimeSpan.FromSeconds(3))
            Thread.Sleep(20);
        Assert.True(left.Count == 0, $"processes left behind with a box uid:\n{string.Join('\n', left)}");
    }

    public static List<string> BoxUidProcesses(SandboxOptions options)
    {
        var found = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(System.IO.Path.GetFileName(dir), out _)) continue;
            try
            {
                var uidLine = File.ReadLines(System.IO.Path.Combine(dir, "status")).FirstOrDefault(l => l.StartsWith("Uid:"));
                if (uidLine is null) continue;
                var uids = uidLine.Split('\t', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(int.Parse);
                if (!uids.Any(u => u >= options.FirstBoxUid && u < options.FirstBoxUid + options.SlotCount)) continue;
                var cmdline = File.ReadAllText(System.IO.Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                found.Add($"{dir}: {uidLine} {cmdline}");
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return found;
    }

    public static void NoCgroupLeft(string parent)
    {
        // v1: one tree per controller; v2: the unified tree at the root.
        var left = Controllers
            .Select(c => $"/sys/fs/cgroup/{c}/{parent}")
            .Append($"/sys/fs/cgroup/{parent}")
            .Where(Directory.Exists)
            .SelectMany(Directory.EnumerateDirectories)
            .ToList();
        Assert.True(left.Count == 0, $"box cgroups left behind: {string.Join(", ", left)}");
    }

    public static void SentinelsUnchanged(Arena arena)
    {
        var now = arena.SnapshotSentinels();
        foreach (var (path, before) in arena.SentinelBaseline)
        {
            now.TryGetValue(path, out var after);
            Assert.True(before == after, $"host sentinel changed: {path}\n  before: {before}\n  after:  {after}");
        }
        var added = now.Keys.Except(arena.SentinelBaseline.Keys).ToList();
        Assert.True(added.Count == 0, $"files appeared in the host scratch dir: {string.Join(", ", added)}");
    }

    public static void WorkerStillHealthy(Arena arena)
    {
        var r = Runner.Sandbox.Box.Run(new SandboxSpec { Argv = ["/bin/true"] }, arena.Options);
        Assert.True(r.Status == SandboxStatus.Ok, $"a plain /bin/true box after the attack: {r.Status} {r.Message}");
    }
}
