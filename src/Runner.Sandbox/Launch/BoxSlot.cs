using Runner.Sandbox.Cgroups;
using Runner.Sandbox.Namespaces;
using Runner.Sandbox.Native;

namespace Runner.Sandbox.Launch;

/// <summary>
/// One of <see cref="SandboxOptions.SlotCount"/> box slots, held exclusively across processes
/// with flock(2) on a lock file, so two concurrent boxes never share a host uid or a cgroup.
/// The kernel drops the lock if the holder dies, so a crashed worker never leaks a slot.
/// </summary>
internal sealed class BoxSlot : IDisposable
{
    private int _lockFd;

    private BoxSlot(int number, int lockFd, BoxIdentity identity)
    {
        Number = number;
        _lockFd = lockFd;
        Identity = identity;
    }

    public int Number { get; }
    public BoxIdentity Identity { get; }
    public string CgroupName => CgroupNames.Box(Number);

    public static BoxSlot Acquire(SandboxOptions options, string stateDirectory, TimeSpan wait, CancellationToken cancellationToken) =>
        Acquire(options, stateDirectory, wait, Poll, cancellationToken);

    internal static BoxSlot Acquire(SandboxOptions options, string stateDirectory, TimeSpan wait, TimeSpan poll, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            var seen = Volatile.Read(ref _releases);
            if (TryAcquire(options, stateDirectory, 0, options.SlotCount) is { } slot) return slot;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                throw new TimeoutException($"all {options.SlotCount} box slots stayed busy for {wait.TotalSeconds:0} s");
            cancellationToken.ThrowIfCancellationRequested();
            // A box of this process torn down after its result still holds its slot: tear one
            // down here rather than wait for the engine's thread to get to it.
            if (BoxTeardown.RunNext()) continue;
            WaitForRelease(seen, left < poll ? left : poll);
        }
    }

    // flock(2) has no wake-up that can time out and be cancelled, so a waiter polls; but a slot
    // freed in this process wakes it at once. With more judge workers than slots (the service's
    // default) the next box then takes a freed core without a poll's delay. Slots freed by other
    // processes on the host are still seen by the poll.
    private static readonly object Released = new(); // Monitor.Wait needs a monitor, not a Lock
    private static long _releases;
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    private static void WaitForRelease(long seen, TimeSpan poll)
    {
        lock (Released)
        {
            if (Volatile.Read(ref _releases) == seen) Monitor.Wait(Released, poll);
        }
    }

    private static void SignalRelease()
    {
        lock (Released)
        {
            _releases++;
            Monitor.PulseAll(Released);
        }
    }

    /// <summary>
    /// A slot of the warm range (numbers from <see cref="SandboxOptions.SlotCount"/> on, so uids
    /// and cgroups never collide with the ordinary slots'), or null when all are taken.
    /// </summary>
    public static BoxSlot? TryAcquireWarm(SandboxOptions options, string stateDirectory) =>
        TryAcquire(options, stateDirectory, options.SlotCount, WarmSlotCount);

    /// <summary>Warm slots per host: every warm pool on the host shares this range.</summary>
    public const int WarmSlotCount = 64;

    private static unsafe BoxSlot? TryAcquire(SandboxOptions options, string stateDirectory, int first, int count)
    {
        var slots = Path.Combine(stateDirectory, "slots");
        Directory.CreateDirectory(slots);
        var privileged = Libc.geteuid() == 0;
        var start = Random.Shared.Next(count);
        for (var i = 0; i < count; i++)
        {
            var number = first + ((start + i) % count);
            var fd = Libc.open(Path.Combine(slots, $"{number}.lock"), Libc.ORdwr | Libc.OCreat | Libc.OCloexec, 0x180);
            if (fd < 0)
                throw new IOException($"cannot open slot lock file in {slots}: {ErrnoName.Describe(Libc.Errno)}");
            if (Libc.flock(fd, Libc.LockExclusive | Libc.LockNonblocking) == 0)
            {
                var identity = privileged
                    ? new BoxIdentity((uint)(options.FirstBoxUid + number), (uint)(options.FirstBoxUid + number), true)
                    : new BoxIdentity(Libc.geteuid(), Libc.getegid(), false);
                return new BoxSlot(number, fd, identity);
            }
            Libc.close(fd);
        }
        return null;
    }

    /// <summary>
    /// At engine start-up: a box cgroup whose slot lock nobody holds belongs to a launcher that
    /// died (SIGKILL, OOM) before it could remove it. Its processes are killed by the parent-death
    /// signal already; this removes the cgroup and anything that is still in it. A box whose
    /// slot is held is someone's live box and is left alone.
    /// </summary>
    public static void SweepOrphans(string stateDirectory, ICgroupHierarchy hierarchy)
    {
        var slots = Path.Combine(stateDirectory, "slots");
        if (!Directory.Exists(slots)) return;
        foreach (var name in hierarchy.ExistingBoxes())
        {
            if (!CgroupNames.TrySlotOf(name, out var number)) continue;
            var fd = Libc.open(Path.Combine(slots, $"{number}.lock"), Libc.ORdwr | Libc.OCreat | Libc.OCloexec, 0x180);
            if (fd < 0) continue;
            try
            {
                if (Libc.flock(fd, Libc.LockExclusive | Libc.LockNonblocking) == 0)
                    hierarchy.RemoveBox(name);
            }
            catch (IOException)
            {
                // Left for the next launch in this slot: CreateBox removes a leftover before use.
            }
            finally
            {
                Libc.close(fd);
            }
        }
    }

    public void Dispose()
    {
        if (_lockFd < 0) return;
        Libc.close(_lockFd);
        _lockFd = -1;
        SignalRelease();
    }
}
