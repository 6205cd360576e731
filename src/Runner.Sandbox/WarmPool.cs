using System.Diagnostics;
using Runner.Sandbox.Cgroups;
using Runner.Sandbox.Launch;
using Runner.Sandbox.Mounts;
using Runner.Sandbox.Native;

namespace Runner.Sandbox;

/// <summary>
/// Boxes prepared ahead, so a program starts with only its own steps on the critical path.
/// A background thread keeps <see cref="Size"/> boxes cloned from a runner-launcher of the pool's
/// own, each in its cgroup (on cgroup v1 the attach, which can wait 6-21 ms for an RCU grace
/// period, happens here), with credentials set and its filesystem built and pivoted into
/// (<see cref="BoxLayout.Ahead"/>), blocked until a program comes. <see cref="Run"/> takes one,
/// writes the program's limits (memory, pids, cpuset) into its cgroup and sends the run plan
/// (stdio, /box, rlimits, capabilities, seccomp, execve), and returns the result as soon as the
/// program and everything it started are gone; the box is torn down after that, like a cold
/// one (<see cref="BoxTeardown"/>). The next box is built once that run is under way
/// (<see cref="RefillHold"/>), not while it launches.
/// It falls back to a cold launch when no box is ready, or when none can serve the program: one
/// with binds, or with a work dir in a rootless engine; boxes are built for the root image and
/// hostname of the last program run. A box serves one program and is then destroyed; a box
/// whose launcher died, or that failed, is never handed out. <see cref="Dispose"/> drains the
/// pool: no process, cgroup or mount is left. <see cref="Box.Run"/> uses one per options value
/// when <see cref="SandboxOptions.WarmBoxes"/> is above 0.
/// </summary>
public sealed class WarmPool : IDisposable
{
    private static readonly Lock SharedGate = new();
    private static readonly Dictionary<SandboxOptions, WarmPool> Shared = [];

    private readonly SandboxOptions _options;
    private readonly ICgroupHierarchy _hierarchy;
    private readonly string _state;
    private readonly string _newRoot;
    private readonly bool _privileged = Libc.geteuid() == 0;
    private BoxLayout _layout = BoxLayout.Ahead(null, SandboxSpec.DefaultHostname);
    // Boxes are made with the limits the last program had (at first the defaults), so a run
    // with the same ones writes none; another run writes its own before its program starts.
    private CgroupLimits _limits = Launcher.CgroupLimitsFor(new SandboxLimits());
    private readonly Queue<WarmBox> _ready = new();
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromSeconds(30);
    /// <summary>How long a run waits for a box the pool is preparing before it launches cold.</summary>
    private static readonly TimeSpan BuildingWait = TimeSpan.FromMilliseconds(20);
    // A box is on its way (slot, cgroup, clone, its filesystem): ready within a few milliseconds.
    private bool _building;
    /// <summary>
    /// How long the refill holds off after a run takes a box, unless that run ends first: the
    /// launch reaches its program's execve in about 0.3 ms when nothing else runs, and a box
    /// built meanwhile (clone, mounts, cgroup: a core's worth for 1-2 ms) took the other core
    /// of this 2-core machine and tripled the median to execve (0.33 against 0.92-1.1 ms,
    /// Runner.Bench --warm). A program that runs longer gets its successor's box built while it runs.
    /// </summary>
    private static readonly TimeSpan RefillHold = TimeSpan.FromMilliseconds(1);
    // Runs between taking a box and their result, and when the last of them took it; runs
    // waiting for a box (the refill does not hold off for them).
    private int _launching;
    private long _lastTaken;
    private int _waiting;
    private readonly object _gate = new();
    private readonly Thread _refill;
    private LauncherProcess? _launcher;
    private bool _disposed;
    private long _warmRuns, _coldRuns;
    // Programs still to come, when the caller knows (Expect); null: no end in sight.
    private int? _expected;

    /// <summary>Starts filling a pool of <paramref name="size"/> boxes (1 to 64) in the background.</summary>
    public WarmPool(SandboxOptions options, int size)
    {
        options.Validate();
        if (size is < 1 or > BoxSlot.WarmSlotCount)
            throw new SandboxSpecException("warm_boxes", $"expected 1 to {BoxSlot.WarmSlotCount} warm boxes, got {size}");
        _options = options;
        Size = size;
        _hierarchy = Box.HierarchyFor(options);
        _state = StateDirectory.Resolve(options);
        _newRoot = StateDirectory.Prepare(_state);
        _refill = new Thread(Refill) { IsBackground = true, Name = "runner warm pool" };
        _refill.Start();
    }

    public int Size { get; }

    /// <summary>Boxes ready now.</summary>
    public int Ready
    {
        get
        {
            lock (_gate) return _ready.Count;
        }
    }

    /// <summary>Runs served by a warm box / by a cold launch because none was ready.</summary>
    public long WarmRuns => Interlocked.Read(ref _warmRuns);

    public long ColdRuns => Interlocked.Read(ref _coldRuns);

    /// <summary>Why the last refill failed (null while it works); the pool then retries every half second.</summary>
    public string? LastError { get; private set; }

    /// <summary>Host pid of the pool's runner-launcher, or -1.</summary>
    internal int LauncherPid => _launcher?.Pid ?? -1;

    /// <summary>Host pids of the ready boxes' inits.</summary>
    internal IReadOnlyList<int> ReadyPids()
    {
        lock (_gate) return [.. _ready.Select(w => w.Box.Pid)];
    }

    /// <summary>
    /// Says that at most <paramref name="programs"/> more programs will come, so the pool keeps no
    /// more boxes ready than that: a judge with one test left does not have a box prepared that
    /// no program would take, and then destroyed at the end.
    /// </summary>
    public void Expect(int programs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(programs);
        lock (_gate)
        {
            _expected = programs;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Boxes the pool keeps ready now: <see cref="Size"/>, or fewer once the programs to come are fewer.</summary>
    private int Wanted => Math.Min(Size, _expected ?? Size);

    /// <summary>Waits until <paramref name="count"/> boxes are ready; false on timeout.</summary>
    public bool WaitUntilReady(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        lock (_gate)
        {
            while (_ready.Count < Math.Min(count, Wanted))
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || _disposed) return false;
                Monitor.Wait(_gate, left);
            }
            return true;
        }
    }

    /// <summary>
    /// Runs one program like <see cref="Box.Run"/>, in a warm box when one is ready. Faults come
    /// back as <see cref="SandboxStatus.InternalError"/>; only an invalid spec throws.
    /// </summary>
    public SandboxResult Run(SandboxSpec spec, CancellationToken cancellationToken = default)
    {
        spec.Validate();
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_gate)
        {
            if (_expected > 0) _expected--;
            // A box on its way is ready sooner than a cold one could be made (the same work, begun
            // earlier): wait for it rather than go cold. On its way: being built, or about to be
            // (the refill thread may be holding off for a run's launch), unless the last attempt
            // to build one failed.
            var deadline = DateTime.UtcNow + BuildingWait;
            var servable = BoxLayout.CanBeBuiltAheadFor(spec, _privileged) && _layout.Serves(spec);
            bool OnItsWay() => servable && _ready.Count == 0 && (_building || (Wanted > 0 && LastError is null)) && !_disposed;
            if (OnItsWay())
            {
                // A refill holding off for another run's launch builds at once for a run that waits.
                _waiting++;
                Monitor.PulseAll(_gate);
                while (OnItsWay() && DateTime.UtcNow < deadline) Monitor.Wait(_gate, BuildingWait);
                _waiting--;
            }
        }
        if (Take(spec) is { } warm)
        {
            SandboxResult result;
            bool neverStarted;
            try
            {
                result = Launcher.RunWarm(warm, spec, _options, cancellationToken, out neverStarted);
            }
            finally
            {
                lock (_gate)
                {
                    _launching--;
                    Monitor.PulseAll(_gate);
                }
            }
            if (!neverStarted)
            {
                Interlocked.Increment(ref _warmRuns);
                return result;
            }
            // Its launcher died between the check and the handoff; the program never ran.
        }
        Interlocked.Increment(ref _coldRuns);
        return Launcher.Run(spec, _options, _hierarchy, cancellationToken);
    }

    /// <summary>The process-wide pool for <paramref name="options"/> (see <see cref="SandboxOptions.WarmBoxes"/>).</summary>
    internal static WarmPool For(SandboxOptions options)
    {
        lock (SharedGate)
        {
            if (Shared.TryGetValue(options, out var pool)) return pool;
            if (Shared.Count == 0) AppDomain.CurrentDomain.ProcessExit += (_, _) => DrainShared();
            pool = new WarmPool(options, options.WarmBoxes);
            Shared[options] = pool;
            return pool;
        }
    }

    /// <summary>Drains every pool <see cref="Box.Run"/> started (also done at process exit).</summary>
    public static void DrainShared()
    {
        List<WarmPool> pools;
        lock (SharedGate)
        {
            pools = [.. Shared.Values];
            Shared.Clear();
        }
        foreach (var pool in pools) pool.Dispose();
    }

    private WarmBox? Take(SandboxSpec spec)
    {
        if (!BoxLayout.CanBeBuiltAheadFor(spec, _privileged)) return null;
        var stale = new List<WarmBox>();
        WarmBox? taken = null;
        lock (_gate)
        {
            // Programs now come with another root image or hostname: build for those.
            if (!_layout.Serves(spec)) _layout = BoxLayout.AheadFor(spec);
            _limits = Launcher.CgroupLimitsFor(spec.Limits) with { Cpuset = null };
            while (_ready.Count > 0)
            {
                var warm = _ready.Dequeue();
                if (!warm.IsUsable)
                {
                    if (warm.Box.PreparationError() is { } failed)
                        LastError = $"launch step {Launcher.StepName(failed.Step)} failed ({failed.What}), errno {failed.Errno}";
                    stale.Add(warm);
                    continue;
                }
                if (!warm.Box.Layout.Serves(spec))
                {
                    stale.Add(warm);
                    continue;
                }
                if (spec.Limits.Cpuset is not null && !warm.Box.Cgroup.HasCpuset)
                {
                    // No cpuset controller for warm boxes here: this one stays for the next spec.
                    _ready.Enqueue(warm);
                    break;
                }
                taken = warm;
                _launching++;
                _lastTaken = Stopwatch.GetTimestamp();
                break;
            }
            Monitor.PulseAll(_gate);
        }
        foreach (var warm in stale) warm.Dispose();
        return taken;
    }

    private void Refill()
    {
        while (true)
        {
            lock (_gate)
            {
                if (_disposed) return;
                if (_ready.Count >= Wanted && (Wanted == 0 || (_launcher?.IsAlive ?? false)))
                {
                    // Wake now and then to notice a dead launcher even when nobody takes a box.
                    Monitor.Wait(_gate, 200);
                    continue;
                }
                var held = _launching > 0 && _waiting == 0 ? RefillHold - Stopwatch.GetElapsedTime(_lastTaken) : TimeSpan.Zero;
                if (held > TimeSpan.Zero)
                {
                    Monitor.Wait(_gate, Math.Max(1, (int)Math.Ceiling(held.TotalMilliseconds)));
                    continue;
                }
            }
            try
            {
                if (_launcher is null || !_launcher.IsAlive)
                {
                    DiscardReady();
                    _launcher?.Dispose();
                    _launcher = null;
                    _launcher = LauncherProcess.Start();
                }
                var warm = PrepareOne(_launcher);
                lock (_gate)
                {
                    _building = false;
                    Monitor.PulseAll(_gate);
                    if (warm is not null && !_disposed)
                    {
                        _ready.Enqueue(warm);
                        warm = null;
                        Monitor.PulseAll(_gate);
                    }
                    else if (warm is null && !_disposed)
                    {
                        // Every warm slot of the host is taken: try again later.
                        Monitor.Wait(_gate, 100);
                    }
                }
                warm?.Dispose();
                LastError = null;
            }
            catch (Exception e)
            {
                LastError = e is LaunchFailure f ? $"launch step {Launcher.StepName(f.Step)} failed ({f.What}), errno {f.Errno}" : e.Message;
                lock (_gate)
                {
                    _building = false;
                    Monitor.PulseAll(_gate);
                    if (!_disposed) Monitor.Wait(_gate, 500);
                }
            }
        }
    }

    private WarmBox? PrepareOne(LauncherProcess launcher)
    {
        BoxLayout layout;
        CgroupLimits limits;
        lock (_gate)
        {
            (layout, limits) = (_layout, _limits);
            // Cleared by the refill loop as it enqueues the box (or gives up on it).
            _building = true;
        }
        BoxSlot? slot;
        // A used box keeps its warm slot until its teardown is done: run one here before giving up.
        while ((slot = BoxSlot.TryAcquireWarm(_options, _state)) is null)
            if (!BoxTeardown.RunNext()) return null;
        IBoxCgroup? cgroup = null;
        try
        {
            cgroup = _hierarchy.CreateBox(slot.CgroupName, limits with { CpusetLater = true });
            var box = PreparedBox.Prepare(slot.Identity, cgroup, launcher, layout, _newRoot, announceBuilt: true);
            // Ready means built: a box handed out while its init still makes its filesystem
            // would have its program wait for the rest of that (about a millisecond).
            var started = DateTime.UtcNow;
            if (!box.WaitUntilBuilt(() => _disposed || DateTime.UtcNow - started > BuildTimeout))
            {
                var failed = box.PreparationError();
                box.Dispose();
                throw failed is { } f
                    ? new LaunchFailure(f.Step, f.Errno, f.What)
                    : new LaunchFailure(LaunchStep.WaitGo, 0, $"the box was not built within {BuildTimeout.TotalSeconds:0} s, or its init died");
            }
            return new WarmBox(slot, cgroup, box, launcher, limits);
        }
        catch
        {
            cgroup?.Dispose();
            slot.Dispose();
            throw;
        }
    }

    private void DiscardReady()
    {
        List<WarmBox> all;
        lock (_gate)
        {
            all = [.. _ready];
            _ready.Clear();
        }
        foreach (var warm in all) warm.Dispose();
    }

    /// <summary>Stops refilling, destroys every ready box (process, cgroup), waits for the teardowns of the boxes it ran, and stops the launcher.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            Monitor.PulseAll(_gate);
        }
        _refill.Join();
        DiscardReady();
        // Its used boxes, and the programs it launched cold when no box was ready, are torn down
        // after their results: wait for those before the launcher goes.
        BoxTeardown.Drain();
        _launcher?.Dispose();
        _launcher = null;
    }
}
