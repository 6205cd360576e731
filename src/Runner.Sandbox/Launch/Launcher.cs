using System.Diagnostics;
using System.Text.Json;
using Runner.Sandbox.Cgroups;
using Runner.Sandbox.Hardening;
using Runner.Sandbox.HostFiles;
using Runner.Sandbox.Metrics;
using Runner.Sandbox.Mounts;
using Runner.Sandbox.Namespaces;
using Runner.Sandbox.Native;
using Runner.Sandbox.Plan;
using Runner.Sandbox.Seccomp;
using Runner.Sandbox.Supervision;

namespace Runner.Sandbox.Launch;

/// <summary>
/// One launch, top to bottom. Theory of operation: the parent (here) takes a slot, creates the
/// box's cgroup and compiles the child's whole life, clone to execve, into two
/// <see cref="SyscallPlan"/>s: the box's own set-up up to the wait for its program, filesystem
/// and pivot_root included (<see cref="PreparedBox"/>), and the run plan
/// (<see cref="BuildRunPlan"/>), sent to the waiting box with the program's fds. Native/runner_launch.c interprets both with no managed code in the
/// child, which is cloned from runner-launcher (<see cref="LauncherProcess"/>) or from this process;
/// its header draws the go byte, the error pipe {op, errno} and the status pipe {wait status,
/// rusage, and whether anything else was left in the box}. The parent supervises until the
/// program is reaped with nothing left beside it (or, when something was, until the box's init
/// has exited and taken everything with it), then builds the result; the box's teardown comes
/// after. A warm launch (<see cref="WarmPool"/>) is the same with the box prepared ahead, and its
/// teardown runs after the result is returned.
/// </summary>
internal static unsafe class Launcher
{
    /// <summary>Runs a spec that <see cref="Box.Run"/> has already validated, in a box made for it now.</summary>
    /// <param name="wiring">For one box of a connected pair (<see cref="ConnectedLaunch"/>): its slot, stdio pipes and start gate.</param>
    public static SandboxResult Run(SandboxSpec spec, SandboxOptions options, ICgroupHierarchy hierarchy, CancellationToken cancellationToken,
        LaunchWiring? wiring = null)
    {
        var step = LaunchStep.Slot;
        BoxSlot? slot = null;
        IBoxCgroup? cgroup = null;
        PreparedBox? box = null;
        SyscallPlan? runPlan = null;
        var handedToBox = new List<WorkDirOwnership>();
        var finished = false;
        // A connected box's pipe ends are ours from the start: closed however the launch ends.
        using var wired = new FdSet();
        if (wiring is not null) wired.Adopt(wiring.StdinFd, wiring.StdoutFd);
        try
        {
            // Started first and waited for only at clone, so its exec overlaps the work below.
            var launcher = options.Launcher == BoxLauncher.Process ? LauncherProcess.Shared() : null;
            var state = StateDirectory.Resolve(options);
            var newRoot = StateDirectory.Prepare(state);
            slot = wiring?.TakeSlot() ?? BoxSlot.Acquire(options, state, options.SlotWait, cancellationToken);
            var slotTaken = Stopwatch.GetTimestamp();

            step = LaunchStep.Cgroup;
            cgroup = hierarchy.CreateBox(slot.CgroupName, CgroupLimitsFor(spec.Limits));

            HandDirectoriesToBox(spec, slot.Identity, handedToBox, ref step);

            var layout = BoxLayout.For(spec);
            step = LaunchStep.Clone;
            box = PreparedBox.Prepare(slot.Identity, cgroup, launcher is null ? null : LauncherProcess.Confirmed(launcher), layout, newRoot);
            // Looked up while the box builds its filesystem (a first launch reads the stored program).
            step = LaunchStep.Seccomp;
            var bpf = SeccompFor(spec.Seccomp, state);
            runPlan = new SyscallPlan();
            var result = Execute(box, runPlan, spec, bpf, cancellationToken, ref step, slotTaken, out _, wiring, wired);
            finished = true;
            return result;
        }
        catch (Exception e) when (e is not SandboxSpecException)
        {
            return FailureOf(e, step);
        }
        finally
        {
            wiring?.Withdraw();
            if (finished && wiring is null)
            {
                // Execute returned once nothing of the program was left in the box: the work dir
                // is the caller's again before the result is, and the box's init, namespaces,
                // cgroup and slot go after it (BoxTeardown). The init is told to go now, so the
                // kernel's teardown of its namespaces runs on its own CPU meanwhile.
                box!.Kill();
                foreach (var handed in handedToBox) handed.Restore();
                BoxTeardown.Defer(new ColdTeardown(box!, runPlan!, cgroup!, slot!).Run);
            }
            else
            {
                // A fault on the way (or one box of a connected pair, whose partner waits for
                // it): everything in the box dies and is gone before the result.
                TearDown(box, runPlan, cgroup, slot, handedToBox);
            }
        }
    }

    private static void TearDown(PreparedBox? box, SyscallPlan? runPlan, IBoxCgroup? cgroup, BoxSlot? slot, List<WorkDirOwnership>? handedToBox)
    {
        try
        {
            // The box reads its run plan until its execve: the plan goes only once the box is gone.
            box?.Dispose();
            runPlan?.Dispose();
            if (handedToBox is not null)
                foreach (var handed in handedToBox) handed.Restore();
            cgroup?.Dispose();
        }
        finally
        {
            slot?.Dispose();
        }
    }

    /// <summary>A cold box whose program is gone, torn down after its result (<see cref="BoxTeardown"/>).</summary>
    private sealed class ColdTeardown(PreparedBox box, SyscallPlan runPlan, IBoxCgroup cgroup, BoxSlot slot)
    {
        public void Run() => TearDown(box, runPlan, cgroup, slot, null);
    }

    /// <summary>
    /// Runs a validated spec in a box <see cref="WarmPool"/> prepared ahead: the program's limits
    /// go into the box's cgroup now, then the run plan. The box is disposed afterwards, whatever
    /// happened: it never serves a second program. <paramref name="neverStarted"/>: the box died
    /// before the program's process got near its execve (its launcher died just as it was taken),
    /// so the caller may launch the program cold instead; the result is then meaningless.
    /// </summary>
    public static SandboxResult RunWarm(WarmBox warm, SandboxSpec spec, SandboxOptions options, CancellationToken cancellationToken,
        out bool neverStarted)
    {
        neverStarted = false;
        var step = LaunchStep.Slot;
        BoxSlot? permit = null;
        var handedToBox = new List<WorkDirOwnership>();
        var finished = false;
        try
        {
            var state = StateDirectory.Resolve(options);
            // A slot of the ordinary range bounds the boxes running at once; the warm box has its
            // own slot (uid and cgroup) from the warm range.
            permit = BoxSlot.Acquire(options, state, options.SlotWait, cancellationToken);
            var slotTaken = Stopwatch.GetTimestamp();

            step = LaunchStep.Cgroup;
            // The pool builds its boxes with the limits programs came with last, so usually none to write.
            var limits = CgroupLimitsFor(spec.Limits);
            if (limits != warm.Limits) warm.Box.Cgroup.SetLimits(limits);

            step = LaunchStep.Seccomp;
            var bpf = SeccompFor(spec.Seccomp, state);
            HandDirectoriesToBox(spec, warm.Box.Identity, handedToBox, ref step);
            var result = Execute(warm.Box, warm.RunPlan, spec, bpf, cancellationToken, ref step, slotTaken, out neverStarted, warm: warm);
            finished = true;
            return result;
        }
        catch (Exception e) when (e is not SandboxSpecException)
        {
            return FailureOf(e, step);
        }
        finally
        {
            // Execute returns once nothing of the program is left in the box (or before it was
            // ever handed over); only a fault in between leaves a program that must die right now.
            // Otherwise the box's init, namespaces, cgroup and slot go after the result, as a cold
            // box's do; but its init is not killed ahead, as a cold one's is: back to back, the
            // namespaces' teardown would compete with the next program, run at once in a box ready.
            if (!finished) warm.Box.Dispose();
            BoxTeardown.Defer(warm.Dispose);
            foreach (var handed in handedToBox) handed.Restore();
            permit?.Dispose();
        }
    }

    /// <summary>+1 pid: the box's own init (pid 1) counts against pids.max too.</summary>
    internal static CgroupLimits CgroupLimitsFor(SandboxLimits limits) =>
        new(limits.MemoryBytes, limits.Pids + 1, Cpuset: limits.Cpuset);

    private static void HandDirectoriesToBox(SandboxSpec spec, BoxIdentity identity, List<WorkDirOwnership> handedToBox, ref LaunchStep step)
    {
        step = LaunchStep.MountBind;
        foreach (var bind in spec.Binds)
        {
            CallerPath.RequireNoSymlinks(bind.Source, "bind source");
            if (bind.Writable && WorkDirOwnership.HandToBox(bind.Source, identity, "bind source") is { } handed)
                handedToBox.Add(handed);
        }
        step = LaunchStep.MountBox;
        if (spec.WorkDir is { } dir)
        {
            CallerPath.RequireNoSymlinks(dir, "work dir");
            if (WorkDirOwnership.HandToBox(dir, identity) is { } handedDir) handedToBox.Add(handedDir);
        }
    }

    /// <summary>
    /// Hands the program to a prepared box, supervises it and builds the result. Returns once
    /// nothing of the program is left in the box; the caller disposes the box, then
    /// <paramref name="plan"/> (the box reads its run plan until its execve).
    /// </summary>
    private static SandboxResult Execute(PreparedBox box, SyscallPlan plan, SandboxSpec spec, byte[]? bpf, CancellationToken cancellationToken,
        ref LaunchStep step, long slotTaken, out bool neverStarted, LaunchWiring? wiring = null, FdSet? wired = null, WarmBox? warm = null)
    {
        neverStarted = false;
        using var fds = new FdSet();
        step = LaunchStep.Stdio;
        // A connected box's stdout is its partner's stdin, so nothing of it is captured here.
        var (errorRead, errorWrite, stdoutRead, stdoutWrite, stderrRead, stderrWrite) =
            warm?.TakePipes(fds) ?? RunPipes.Open(fds, wiring?.StdoutFd ?? -1);
        var stdin = wiring?.StdinFd ?? fds.OpenStdin(spec.StdinPath ?? "/dev/null");
        // A box built ahead attaches its work dir from a detached mount made here.
        step = LaunchStep.MountBox;
        var boxTree = !box.Layout.BoxMounted && spec.WorkDir is { } workDir ? fds.Own(HostTree.Clone(workDir)) : -1;
        var setup = BuildRunPlan(plan, box, spec, bpf, boxTree >= 0);
        var sealedPlan = plan.SealInPlace(PreparedBox.ErrorFd, -1);

        step = LaunchStep.WaitGo;
        wiring?.ArriveAndWait(cancellationToken);
        var clock = Stopwatch.StartNew();
        var sent = box.Handoff(sealedPlan, stdin, stdoutWrite, stderrWrite, errorWrite, boxTree);
        if (sent != 0)
        {
            if (box.PreparationError() is { } failedEarly) return Failure(failedEarly.Step, failedEarly.Errno, failedEarly.What);
            neverStarted = true;
            return Failure(step, sent, "hand the program to the box");
        }
        fds.CloseAll(stdin, stdoutWrite, stderrWrite, errorWrite, boxTree);
        // A connected partner sees this program gone (EOF, EPIPE) only once the init's report,
        // with its reap stamp, is read: which of the two ended first is then cause and effect,
        // not a race between two wake-ups (the program's pipes close before its init wakes).
        Action? reaped = wired is null ? null : () => wired.CloseAll(stdin, stdoutWrite);
        SandboxMetrics.ProgramStarted(Stopwatch.GetElapsedTime(slotTaken));

        step = LaunchStep.Supervise;
        var seen = new Supervisor(box.Pidfd, errorRead, box.StatusChannel, stdoutRead, stderrRead, box.Cgroup, spec.Limits, setup, reaped)
            .Run(clock, cancellationToken);
        reaped?.Invoke();
        if (seen.Exit is not { Alone: not 0 })
        {
            // Something outlived the program, or it never ran: the supervisor has waited for the
            // box's init to exit, and with it every process of the box.
            box.WaitForExit();
            box.Cgroup.KillAll();
        }
        // With nothing left beside the program, the supervisor has read the usage already.
        var usage = seen.Usage ?? box.Cgroup.ReadUsage();
        if (seen.LaunchError is { } failed)
        {
            var (failedStep, what) = plan.Describe(failed.OpIndex);
            return Failure(failedStep, failed.Error, what) with
            {
                ProgramError = failedStep == LaunchStep.Execve ? ProgramExec.Explain(spec.Argv[0], failed.Error) : null,
            };
        }
        if (seen.Exit is null && seen.Killed == KillReason.None && box.PreparationError() is { } prepared)
            return Failure(prepared.Step, prepared.Errno, prepared.What);
        // The box died with no report from any step and before the program's process read
        // its clock right before execve: killed from outside (its launcher's death).
        neverStarted = seen.Exit is null && seen.Killed == KillReason.None && !setup.ProgramReached;
        return ResultBuilder.Build(spec.Limits, seen, setup.ExcludeFrom(usage, seen.CpuAtProgramExit, seen.Exit, box.InitCpuBeforeCgroup)) with
        {
            ExecTimestamp = seen.ExecTimestamp,
        };
    }

    /// <summary>
    /// The run plan: what the program's process does once it has its program, in order, up to
    /// execve; the box's filesystem, its init and the process itself are already there.
    /// </summary>
    private static SetupCpu BuildRunPlan(SyscallPlan plan, PreparedBox box, SandboxSpec spec, byte[]? bpf, bool boxTree)
    {
        plan.Add(LaunchStep.Stdio, "dup stdin", Sys.Dup3, PreparedBox.StdinFd, 0, 0);
        plan.Add(LaunchStep.Stdio, "dup stdout", Sys.Dup3, PreparedBox.StdoutFd, 1, 0);
        plan.Add(LaunchStep.Stdio, "dup stderr", Sys.Dup3, PreparedBox.StderrFd, 2, 0);
        // The socket and the status socket go too: the program has neither.
        if (boxTree) CloseAllBut(plan, PreparedBox.ErrorFd, PreparedBox.BoxTreeFd);
        else CloseAllBut(plan, PreparedBox.ErrorFd);
        MountNamespace.AddRunSteps(plan, spec, box.Layout, PreparedBox.BoxTreeFd);
        var setup = new SetupCpu(box.InitCpuClock, plan);
        ResourceLimits.AddChildSteps(plan, spec.Limits);
        Capabilities.AddChildSteps(plan);
        plan.Add(LaunchStep.Chdir, "chdir /box", Sys.Chdir, plan.Arena.String("/box"));
        // Our default profile allows clock_gettime, so the filter's load counts as set-up too;
        // a custom profile might kill on it, so then the reading comes first.
        var filterAllowsClock = spec.Seccomp is "default" or "none";
        if (!filterAllowsClock) setup.AddProgramReading(plan);
        SeccompStep.AddChildSteps(plan, bpf);
        if (filterAllowsClock) setup.AddProgramReading(plan);
        ProgramExec.AddChildSteps(plan, spec);
        return setup;
    }

    /// <summary>close_range around the fds the child still needs.</summary>
    private static void CloseAllBut(SyscallPlan plan, params int[] fds)
    {
        var keep = fds.Order().ToArray();
        long from = 3;
        foreach (var fd in keep)
        {
            if (fd > from) plan.Add(LaunchStep.Stdio, $"close fds {from}-{fd - 1}", Sys.CloseRange, from, fd - 1, 0);
            from = fd + 1;
        }
        plan.Add(LaunchStep.Stdio, $"close fds {from}-", Sys.CloseRange, from, uint.MaxValue, 0);
    }

    private static byte[]? SeccompFor(string choice, string stateDirectory)
    {
        if (choice == "none") return null;
        if (choice == "default") return CompiledFilterCache.GetDefault(stateDirectory);
        string text;
        try
        {
            text = File.ReadAllText(choice);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SandboxSpecException("seccomp", $"cannot read seccomp profile '{choice}': {e.Message}");
        }
        try
        {
            return CompiledFilterCache.Get(stateDirectory, text, () => SeccompProfile.Parse(text));
        }
        catch (SeccompException e)
        {
            throw new SandboxSpecException("seccomp", e.Message);
        }
    }

    /// <summary>A fault while launching is a result naming its step; only a bad spec is thrown to the caller.</summary>
    private static SandboxResult FailureOf(Exception e, LaunchStep step) => e switch
    {
        CgroupUnavailableException => Failure(LaunchStep.Cgroup, 0, e.Message),
        LaunchFailure failure => Failure(failure.Step, failure.Errno, failure.What),
        _ => Failure(step, 0, e.Message),
    };

    private static SandboxResult Failure(LaunchStep step, int errno, string what)
    {
        var detail = errno != 0 ? $": {ErrnoName.Describe(errno)}" : "";
        return new SandboxResult
        {
            Status = SandboxStatus.InternalError,
            FailedStep = step,
            Message = $"launch step {StepName(step)} failed ({what}){detail}",
        };
    }

    internal static string StepName(LaunchStep step) => JsonNamingPolicy.SnakeCaseLower.ConvertName(step.ToString());
}
