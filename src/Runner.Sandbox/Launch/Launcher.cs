using System.Diagnostics;
using System.Text.Json;
using Runner.Sandbox.Cgroups;
using Runner.Sandbox.Hardening;
using Runner.Sandbox.HostFiles;
using Runner.Sandbox.Metrics;
using Runner.Sandbox.Namespaces;
using Runner.Sandbox.Native;
using Runner.Sandbox.Plan;
using Runner.Sandbox.Seccomp;
using Runner.Sandbox.Supervision;

namespace Runner.Sandbox.Launch;

/// <summary>
/// One launch, top to bottom. Theory of operation: the parent (here) takes a slot, creates the
/// box's cgroup and compiles the child's whole life, clone to execve, into two
/// <see cref="SyscallPlan"/>s: the box's own set-up up to the wait for its program
/// (<see cref="PreparedBox"/>) and the run plan (<see cref="BuildRunPlan"/>), sent to the waiting
/// box with the program's fds. Native/runner_launch.c interprets both with no managed code in the
/// child, which is cloned from runner-launcher (<see cref="LauncherProcess"/>) or from this process;
/// its header draws the go byte, the error pipe {op, errno} and the status pipe {wait status,
/// rusage}. The parent supervises until the box's init exits, then empties the cgroup and builds
/// the result. A warm launch (<see cref="WarmPool"/>) is the same with the box prepared ahead.
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
        var handedToBox = new List<WorkDirOwnership>();
        // A connected box's pipe ends are ours from the start: closed however the launch ends.
        using var wired = new FdSet();
        if (wiring is not null) wired.Adopt(wiring.StdinFd, wiring.StdoutFd);
        try
        {
            var state = StateDirectory.Resolve(options);
            var newRoot = StateDirectory.Prepare(state);
            slot = wiring?.TakeSlot() ?? BoxSlot.Acquire(options, state, options.SlotWait, cancellationToken);
            var slotTaken = Stopwatch.GetTimestamp();

            step = LaunchStep.Cgroup;
            cgroup = hierarchy.CreateBox(slot.CgroupName, CgroupLimitsFor(spec.Limits));

            step = LaunchStep.Seccomp;
            var bpf = SeccompFor(spec.Seccomp, state);
            HandDirectoriesToBox(spec, slot.Identity, handedToBox, ref step);

            step = LaunchStep.Clone;
            var launcher = options.Launcher == BoxLauncher.Process ? LauncherProcess.Shared() : null;
            box = PreparedBox.Prepare(slot.Identity, cgroup, launcher);
            return Execute(box, spec, newRoot, bpf, cancellationToken, ref step, slotTaken, out _, wiring, wired);
        }
        catch (Exception e) when (e is not SandboxSpecException)
        {
            return FailureOf(e, step);
        }
        finally
        {
            wiring?.Withdraw();
            box?.Dispose();
            cgroup?.Dispose();
            foreach (var handed in handedToBox) handed.Restore();
            slot?.Dispose();
        }
    }

    /// <summary>
    /// Runs a validated spec in a box <see cref="WarmPool"/> prepared ahead: the program's limits
    /// go into the box's cgroup now, then the run plan. The box is disposed afterwards, whatever
    /// happened: it never serves a second program. <paramref name="neverStarted"/>: the box died
    /// before the program's process got near its execve (its launcher died just as it was taken),
    /// so the caller may launch the program cold instead; the result is then meaningless.
    /// </summary>
    /// <param name="retire">Takes the used box: its cgroup is removed off the critical path.</param>
    public static SandboxResult RunWarm(WarmBox warm, SandboxSpec spec, SandboxOptions options, CancellationToken cancellationToken,
        Action<WarmBox> retire, out bool neverStarted)
    {
        neverStarted = false;
        var step = LaunchStep.Slot;
        BoxSlot? permit = null;
        var handedToBox = new List<WorkDirOwnership>();
        try
        {
            var state = StateDirectory.Resolve(options);
            var newRoot = StateDirectory.Prepare(state);
            // A slot of the ordinary range bounds the boxes running at once; the warm box has its
            // own slot (uid and cgroup) from the warm range.
            permit = BoxSlot.Acquire(options, state, options.SlotWait, cancellationToken);
            var slotTaken = Stopwatch.GetTimestamp();

            step = LaunchStep.Cgroup;
            warm.Box.Cgroup.SetLimits(CgroupLimitsFor(spec.Limits));

            step = LaunchStep.Seccomp;
            var bpf = SeccompFor(spec.Seccomp, state);
            HandDirectoriesToBox(spec, warm.Box.Identity, handedToBox, ref step);
            return Execute(warm.Box, spec, newRoot, bpf, cancellationToken, ref step, slotTaken, out neverStarted);
        }
        catch (Exception e) when (e is not SandboxSpecException)
        {
            return FailureOf(e, step);
        }
        finally
        {
            // Execute has killed the box and waited for its init; what it left is its cgroup.
            warm.Box.Dispose();
            retire(warm);
            foreach (var handed in handedToBox) handed.Restore();
            permit?.Dispose();
        }
    }

    /// <summary>+1 pid: the box's own init (pid 1) counts against pids.max too.</summary>
    private static CgroupLimits CgroupLimitsFor(SandboxLimits limits) =>
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

    /// <summary>Hands the program to a prepared box, supervises it and builds the result.</summary>
    private static SandboxResult Execute(PreparedBox box, SandboxSpec spec, string newRoot, byte[]? bpf, CancellationToken cancellationToken,
        ref LaunchStep step, long slotTaken, out bool neverStarted, LaunchWiring? wiring = null, FdSet? wired = null)
    {
        neverStarted = false;
        // The box reads its run plan from this memory until its execve, so the plan outlives the
        // box: disposed only after box.Dispose below has waited for the box to exit.
        using var plan = new SyscallPlan();
        using var fds = new FdSet();
        try
        {
            step = LaunchStep.Stdio;
            var (errorRead, errorWrite) = fds.Pipe();
            var (statusRead, statusWrite) = fds.SocketPair();
            // A connected box's stdout is its partner's stdin, so nothing of it is captured here.
            var (stdoutRead, stdoutWrite) = wiring is null ? fds.Pipe() : (-1, wiring.StdoutFd);
            var (stderrRead, stderrWrite) = fds.Pipe();
            var stdin = wiring?.StdinFd ?? fds.OpenStdin(spec.StdinPath ?? "/dev/null");
            if (stdoutRead >= 0) fds.SetNonBlocking(stdoutRead);
            fds.SetNonBlocking(stderrRead);
            var setup = BuildRunPlan(plan, spec, newRoot, bpf);
            var sealedPlan = plan.SealInPlace(PreparedBox.ErrorFd, PreparedBox.StatusFd);

            step = LaunchStep.WaitGo;
            wiring?.ArriveAndWait(cancellationToken);
            var clock = Stopwatch.StartNew();
            var sent = box.Handoff(sealedPlan, [stdin, stdoutWrite, stderrWrite, errorWrite, statusWrite]);
            if (sent != 0)
            {
                if (box.PreparationError() is { } failedEarly) return Failure(failedEarly.Step, failedEarly.Errno, failedEarly.What);
                neverStarted = true;
                return Failure(step, sent, "hand the program to the box");
            }
            fds.CloseAll(stdin, stdoutWrite, stderrWrite, errorWrite, statusWrite);
            // The partner must see EOF as soon as this box's program is gone.
            wired?.CloseAll(stdin, stdoutWrite);
            SandboxMetrics.ProgramStarted(Stopwatch.GetElapsedTime(slotTaken));

            step = LaunchStep.Supervise;
            var seen = new Supervisor(box.Pidfd, errorRead, statusRead, stdoutRead, stderrRead, box.Cgroup, spec.Limits, setup)
                .Run(clock, cancellationToken);
            box.WaitForExit();
            box.Cgroup.KillAll();
            var usage = box.Cgroup.ReadUsage();
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
            return ResultBuilder.Build(spec.Limits, seen, setup.ExcludeFrom(usage, seen.CpuAtProgramExit)) with
            {
                ExecTimestamp = seen.ExecTimestamp,
            };
        }
        finally
        {
            box.Dispose();
        }
    }

    /// <summary>
    /// The run plan: what the box does once it has its program, in order. Everything before the
    /// fork runs in the box's init too.
    /// </summary>
    private static SetupCpu BuildRunPlan(SyscallPlan plan, SandboxSpec spec, string newRoot, byte[]? bpf)
    {
        plan.Add(LaunchStep.Stdio, "dup stdin", Sys.Dup3, PreparedBox.StdinFd, 0, 0);
        plan.Add(LaunchStep.Stdio, "dup stdout", Sys.Dup3, PreparedBox.StdoutFd, 1, 0);
        plan.Add(LaunchStep.Stdio, "dup stderr", Sys.Dup3, PreparedBox.StderrFd, 2, 0);
        CloseAllBut(plan, PreparedBox.ErrorFd, PreparedBox.StatusFd);
        MountNamespace.AddChildSteps(plan, MountNamespace.Describe(spec), newRoot);
        UtsNamespace.AddChildSteps(plan, spec.Hostname);
        NetworkNamespace.AddChildSteps(plan);
        ChildSignals.AddChildSteps(plan);
        var setup = new SetupCpu(plan);
        setup.AddInitReading(plan);
        plan.AddFork();
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
        if (choice == "default")
            return CompiledFilterCache.Get(stateDirectory, SeccompProfile.DefaultText(), SeccompProfile.LoadDefault);
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
