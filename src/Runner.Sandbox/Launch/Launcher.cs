using System.Diagnostics;
using System.Text.Json;
using Runner.Sandbox.Cgroups;
using Runner.Sandbox.Hardening;
using Runner.Sandbox.HostFiles;
using Runner.Sandbox.Namespaces;
using Runner.Sandbox.Native;
using Runner.Sandbox.Plan;
using Runner.Sandbox.Seccomp;
using Runner.Sandbox.Supervision;

namespace Runner.Sandbox.Launch;

/// <summary>
/// One launch, top to bottom. Theory of operation: the parent (here) takes a slot, creates the
/// box's cgroup and compiles the child's whole life, clone to execve, into a <see cref="SyscallPlan"/>
/// (<see cref="BuildChildPlan"/>). Native/runner_launch.c clones and interprets that plan with no
/// managed code in the child; its header draws the go byte, the error pipe {op, errno} and the
/// status pipe {wait status, rusage}. The parent writes the id maps, sends the go byte,
/// supervises until the box's init exits, then empties the cgroup and builds the result.
/// </summary>
internal static unsafe class Launcher
{
    private const ulong NamespaceFlags = Flags.CloneNewUser | Flags.CloneNewPid | Flags.CloneNewNs | Flags.CloneNewNet
        | Flags.CloneNewIpc | Flags.CloneNewUts;

    /// <summary>Runs a spec that <see cref="Box.Run"/> has already validated.</summary>
    /// <param name="wiring">For one box of a connected pair (<see cref="ConnectedLaunch"/>): its slot, stdio pipes and start gate.</param>
    public static SandboxResult Run(SandboxSpec spec, SandboxOptions options, ICgroupHierarchy hierarchy, CancellationToken cancellationToken,
        LaunchWiring? wiring = null)
    {
        var step = LaunchStep.Slot;
        var fds = new FdSet();
        if (wiring is not null) fds.Adopt(wiring.StdinFd, wiring.StdoutFd);
        BoxSlot? slot = null;
        IBoxCgroup? cgroup = null;
        var handedToBox = new List<WorkDirOwnership>();
        int pid = -1, pidfd = -1;
        try
        {
            var state = StateDirectory.Resolve(options);
            var newRoot = StateDirectory.Prepare(state);
            slot = wiring?.TakeSlot() ?? BoxSlot.Acquire(options, state, options.SlotWait, cancellationToken);

            step = LaunchStep.Cgroup;
            var limits = spec.Limits;
            // +1 pid: the box's own init (pid 1) counts against pids.max too.
            cgroup = hierarchy.CreateBox(slot.CgroupName, new CgroupLimits(limits.MemoryBytes, limits.Pids + 1, Cpuset: limits.Cpuset));

            step = LaunchStep.Seccomp;
            var bpf = SeccompFor(spec.Seccomp, state);

            step = LaunchStep.MountBind;
            foreach (var bind in spec.Binds)
            {
                CallerPath.RequireNoSymlinks(bind.Source, "bind source");
                if (bind.Writable && WorkDirOwnership.HandToBox(bind.Source, slot.Identity, "bind source") is { } handed)
                    handedToBox.Add(handed);
            }
            step = LaunchStep.MountBox;
            if (spec.WorkDir is { } dir)
            {
                CallerPath.RequireNoSymlinks(dir, "work dir");
                if (WorkDirOwnership.HandToBox(dir, slot.Identity) is { } handed) handedToBox.Add(handed);
            }

            step = LaunchStep.Clone;
            var (goRead, goWrite) = fds.Pipe();
            var (errorRead, errorWrite) = fds.Pipe();
            var (statusRead, statusWrite) = fds.Pipe();
            // A connected box's stdout is its partner's stdin, so nothing of it is captured here.
            var (stdoutRead, stdoutWrite) = wiring is null ? fds.Pipe() : (-1, wiring.StdoutFd);
            var (stderrRead, stderrWrite) = fds.Pipe();
            var stdin = wiring?.StdinFd ?? fds.OpenStdin(spec.StdinPath ?? "/dev/null");
            if (stdoutRead >= 0) fds.SetNonBlocking(stdoutRead);
            fds.SetNonBlocking(stderrRead);

            using var plan = new SyscallPlan();
            BuildChildPlan(plan, spec, slot.Identity, newRoot, bpf, goRead, stdin, stdoutWrite, stderrWrite, errorWrite, statusWrite);
            var sealedPlan = plan.Seal(errorWrite, statusWrite);
            int childPidfd;
            // Root creates the box's user namespace as the slot's uid (see runner_launch.c).
            var owner = slot.Identity.Privileged ? slot.Identity.HostUid : -1L;
            var cloned = NativeLaunch.runner_clone(&sealedPlan, NamespaceFlags, cgroup.CloneIntoFd, owner, &childPidfd);
            if (cloned < 0)
                return Failure(step, (int)-cloned, "clone3 with new user, pid, mount, net, ipc and uts namespaces");
            pid = (int)cloned;
            pidfd = childPidfd;
            fds.CloseAll(goRead, errorWrite, statusWrite, stdoutWrite, stderrWrite, stdin);

            step = LaunchStep.IdMaps;
            UserNamespace.WriteIdMapsFromParent(pid, slot.Identity);
            ProcessPriority.ResetFromParent(pid);
            step = LaunchStep.CgroupAttach;
            if (cgroup.CloneIntoFd < 0) cgroup.AddProcess(pid);

            step = LaunchStep.WaitGo;
            wiring?.ArriveAndWait(cancellationToken);
            var clock = Stopwatch.StartNew();
            byte go = 1;
            if (Libc.write(goWrite, &go, 1) != 1)
                return Failure(step, Libc.Errno, "send the go byte");
            fds.CloseAll(goWrite);

            step = LaunchStep.Supervise;
            var seen = new Supervisor(pidfd, errorRead, statusRead, stdoutRead, stderrRead, cgroup, limits).Run(clock, cancellationToken);
            Reap(pidfd);
            pid = -1;
            cgroup.KillAll();
            var usage = cgroup.ReadUsage();
            if (seen.LaunchError is { } failed)
            {
                var (failedStep, what) = plan.Describe(failed.OpIndex);
                return Failure(failedStep, failed.Error, what) with
                {
                    ProgramError = failedStep == LaunchStep.Execve ? ProgramExec.Explain(spec.Argv[0], failed.Error) : null,
                };
            }
            return ResultBuilder.Build(spec.Limits, seen, usage);
        }
        catch (SandboxSpecException)
        {
            throw;
        }
        catch (CgroupUnavailableException e)
        {
            return Failure(LaunchStep.Cgroup, 0, e.Message);
        }
        catch (Exception e)
        {
            return Failure(step, 0, e.Message);
        }
        finally
        {
            wiring?.Withdraw();
            if (pid > 0)
            {
                Libc.syscall(Sys.PidfdSendSignal, pidfd, Libc.SigKill, 0, 0);
                Reap(pidfd);
            }
            if (pidfd >= 0) Libc.close(pidfd);
            fds.Dispose();
            cgroup?.Dispose();
            foreach (var handed in handedToBox) handed.Restore();
            slot?.Dispose();
        }
    }

    /// <summary>The child's steps, in order. Everything before the fork runs in the box's init too.</summary>
    private static void BuildChildPlan(SyscallPlan plan, SandboxSpec spec, BoxIdentity identity, string newRoot, byte[]? bpf,
        int goRead, int stdin, int stdout, int stderr, int errorWrite, int statusWrite)
    {
        ParentDeath.AddFirstChildStep(plan);
        plan.Add(LaunchStep.WaitGo, "wait for the go byte", Sys.Read, goRead, (long)plan.Arena.Allocate(8), 1,
            flags: NativeLaunch.CheckEqual, expect: 1);
        plan.Add(LaunchStep.Stdio, "dup stdin", Sys.Dup3, stdin, 0, 0);
        plan.Add(LaunchStep.Stdio, "dup stdout", Sys.Dup3, stdout, 1, 0);
        plan.Add(LaunchStep.Stdio, "dup stderr", Sys.Dup3, stderr, 2, 0);
        CloseAllBut(plan, errorWrite, statusWrite, ParentDeath.Pidfd);
        // The box's init is a copy of this process (API keys, connection strings in its heap).
        // Non-dumpable, its /proc files belong to the host's root and the box cannot read them;
        // the program becomes dumpable again at execve.
        plan.Add(LaunchStep.Credentials, "prctl(PR_SET_DUMPABLE, 0)", Sys.Prctl, Flags.PrSetDumpable, 0, 0, 0, 0);
        CgroupNamespace.AddChildSteps(plan);
        UserNamespace.AddChildSteps(plan, identity);
        ParentDeath.AddChildSteps(plan, ParentDeath.Pidfd);
        MountNamespace.AddChildSteps(plan, MountNamespace.Describe(spec), newRoot);
        UtsNamespace.AddChildSteps(plan, spec.Hostname);
        NetworkNamespace.AddChildSteps(plan);
        ChildSignals.AddChildSteps(plan);
        plan.AddFork();
        ResourceLimits.AddChildSteps(plan, spec.Limits);
        Capabilities.AddChildSteps(plan);
        plan.Add(LaunchStep.Chdir, "chdir /box", Sys.Chdir, plan.Arena.String("/box"));
        SeccompStep.AddChildSteps(plan, bpf);
        ProgramExec.AddChildSteps(plan, spec);
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

    private static void Reap(int pidfd)
    {
        var info = stackalloc byte[128];
        while (Libc.waitid(Libc.PPidfd, pidfd, info, Libc.WExited) < 0 && Libc.Errno == Errno.EINTR) { }
    }

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
