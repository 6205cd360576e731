using Runner.Sandbox.Cgroups;
using Runner.Sandbox.Cgroups.V1;
using Runner.Sandbox.Hardening;
using Runner.Sandbox.Mounts;
using Runner.Sandbox.Namespaces;
using Runner.Sandbox.Native;
using Runner.Sandbox.Plan;
using Runner.Sandbox.Supervision;

namespace Runner.Sandbox.Launch;

/// <summary>
/// A box cloned and set up to the point where it waits for its program: namespaces, id maps,
/// cgroup membership (on cgroup v1 the slow attach), credentials, its filesystem with
/// pivot_root (<see cref="BoxLayout"/>), hostname, loopback, signal dispositions and bounding
/// set; then the init forks the program's process and becomes its reaper. That process blocks on
/// a socket (RUNNER_OP_RECEIVE in runner_launch.c) until <see cref="Handoff"/> sends the run plan
/// (stdio, the run's own mounts, rlimits, capabilities, seccomp, execve) with the program's fds. A box serves one program, never a second: its
/// init interprets one handoff and the socket is closed before the program starts.
/// A cold launch prepares one and hands off at once; <see cref="WarmPool"/> prepares them ahead.
/// </summary>
internal sealed unsafe class PreparedBox : IDisposable
{
    // Where the box's fds sit inside the box; runner_install_fds puts them there.
    public const int SocketFd = 10, LauncherPidfdFd = 11, StdinFd = 12, StdoutFd = 13, StderrFd = 14, ErrorFd = 15, StatusFd = 16;
    /// <summary>
    /// The work dir as a detached mount, for a box whose tree was built ahead (<see cref="HostTree"/>);
    /// sent with the handoff, when fds 0-9 have long been closed.
    /// </summary>
    public const int BoxTreeFd = 9;
    // StatusFd is the init's from clone on (the status socket, StatusChannel); ErrorFd comes with the handoff.

    /// <summary>cgroup v1: the box's <c>tasks</c> fds, one per hierarchy, from here up (closed with fds 12- after go).</summary>
    public const int CgroupTasksFd = 17;

    public const ulong NamespaceFlags = Flags.CloneNewUser | Flags.CloneNewPid | Flags.CloneNewNs | Flags.CloneNewNet
        | Flags.CloneNewIpc | Flags.CloneNewUts;

    private readonly SyscallPlan _plan;
    private readonly bool _ourChild;
    private int _socket;
    private bool _exited;

    private PreparedBox(BoxIdentity identity, IBoxCgroup cgroup, BoxLayout layout, SyscallPlan plan, long* initCpuClock, int pid, int pidfd,
        int socket, int status, bool ourChild)
    {
        Identity = identity;
        Cgroup = cgroup;
        Layout = layout;
        InitCpuClock = initCpuClock;
        StatusChannel = status;
        _plan = plan;
        Pid = pid;
        Pidfd = pidfd;
        _socket = socket;
        _ourChild = ourChild;
    }

    private long* _joinedClock;

    public BoxIdentity Identity { get; }

    /// <summary>
    /// cgroup v1: the init's CPU clock right after the go byte, when it is in its cgroup; what it
    /// ran before was not counted there (<see cref="SetupCpu"/>). 0 on v2: in its cgroup from clone.
    /// </summary>
    public long InitCpuBeforeCgroup => SetupCpu.Read(_joinedClock);
    public IBoxCgroup Cgroup { get; }

    /// <summary>What the box's init has built before its program came.</summary>
    public BoxLayout Layout { get; }

    /// <summary>
    /// The parent's end of the status socket: the init writes the program's struct runner_exit
    /// to it once the program is reaped, and exits when it is hung up.
    /// </summary>
    public int StatusChannel { get; private set; }

    /// <summary>The init's CPU clock, read right before it forked the program's process (see <see cref="SetupCpu"/>).</summary>
    public long* InitCpuClock { get; }

    /// <summary>Host pid of the box's init.</summary>
    public int Pid { get; }

    public int Pidfd { get; private set; }

    /// <summary>
    /// Clones the box from <paramref name="launcher"/> (or from this process when null) and
    /// takes it through the parent's steps. Throws <see cref="LaunchFailure"/>.
    /// </summary>
    /// <param name="newRoot">The host directory the box mounts its root on before pivot_root (<see cref="StateDirectory"/>).</param>
    /// <param name="announceBuilt">
    /// The program's process says on the socket when it waits for the run plan, which
    /// <see cref="WaitUntilBuilt"/> waits for (a warm box); a cold box is handed its plan at once.
    /// </param>
    public static PreparedBox Prepare(BoxIdentity identity, IBoxCgroup cgroup, LauncherProcess? launcher, BoxLayout layout, string newRoot,
        bool announceBuilt = false)
    {
        var step = LaunchStep.Clone;
        var pair = stackalloc int[2];
        if (Libc.socketpair(Libc.AfUnix, Libc.SockSeqpacket | Libc.SockCloexec, 0, pair) < 0)
            throw new LaunchFailure(step, Libc.Errno, "socketpair for the box");
        int ours = pair[0], theirs = pair[1];
        if (Libc.socketpair(Libc.AfUnix, Libc.SockSeqpacket | Libc.SockCloexec, 0, pair) < 0)
        {
            var errno = Libc.Errno;
            Libc.close(ours);
            Libc.close(theirs);
            throw new LaunchFailure(step, errno, "socketpair for the box's status");
        }
        int status = pair[0], statusTheirs = pair[1];
        var plan = new SyscallPlan();
        PreparedBox? box = null;
        // cgroup v1: the init moves itself in, which skips the kernel's slow path (CgroupSelfAttach).
        var tasksFds = cgroup.CloneIntoFd < 0 ? cgroup.OpenSelfAttachFds() : [];
        try
        {
            // v2: in its cgroup from clone, so all of the init's CPU was counted there.
            var joinedClock = cgroup.CloneIntoFd < 0 ? (long*)plan.Arena.Allocate(16) : null;
            var initCpuClock = BuildPlan(plan, identity, tasksFds.Length, layout, newRoot, joinedClock, announceBuilt);
            var sealedPlan = plan.SealInPlace(SocketFd, StatusFd);
            // Root creates the box's user namespace as the slot's uid (see runner_launch.c).
            var owner = identity.Privileged ? identity.HostUid : -1L;
            ReadOnlySpan<int> fds = [theirs, launcher?.Pidfd ?? ParentDeath.Pidfd, statusTheirs, .. tasksFds];
            Span<int> targets = stackalloc int[fds.Length];
            targets[0] = SocketFd;
            targets[1] = LauncherPidfdFd;
            targets[2] = StatusFd;
            for (var i = 0; i < tasksFds.Length; i++) targets[3 + i] = CgroupTasksFd + i;
            long cloned;
            int pidfd;
            if (launcher is not null)
            {
                cloned = launcher.Clone(sealedPlan, NamespaceFlags, cgroup.CloneIntoFd, owner, fds, targets, out pidfd);
            }
            else
            {
                fixed (int* f = fds, t = targets)
                    cloned = NativeLaunch.runner_clone(sealedPlan, NamespaceFlags, cgroup.CloneIntoFd, owner, f, t, fds.Length, &pidfd);
            }
            Libc.close(theirs);
            theirs = -1;
            Libc.close(statusTheirs);
            statusTheirs = -1;
            CloseAll(tasksFds);
            if (cloned < 0)
                throw new LaunchFailure(step, (int)-cloned, "clone3 with new user, pid, mount, net, ipc and uts namespaces");
            box = new PreparedBox(identity, cgroup, layout, plan, initCpuClock, (int)cloned, pidfd, ours, status, launcher is null)
            {
                _joinedClock = joinedClock,
            };
            ours = -1;
            status = -1;

            step = LaunchStep.IdMaps;
            UserNamespace.WriteIdMapsFromParent(box.Pid, identity);
            ProcessPriority.ResetFromParent(box.Pid);
            step = LaunchStep.CgroupAttach;
            if (cgroup.CloneIntoFd < 0 && tasksFds.Length == 0) cgroup.AddProcess(box.Pid);

            step = LaunchStep.WaitGo;
            byte go = 1;
            if (Libc.write(box._socket, &go, 1) != 1)
                throw new LaunchFailure(step, Libc.Errno, "send the go byte");
            return box;
        }
        catch (Exception e)
        {
            if (box is not null) box.Dispose();
            else plan.Dispose();
            if (ours >= 0) Libc.close(ours);
            if (theirs >= 0) Libc.close(theirs);
            if (status >= 0) Libc.close(status);
            if (statusTheirs >= 0) Libc.close(statusTheirs);
            CloseAll(tasksFds);
            if (e is LaunchFailure) throw;
            throw new LaunchFailure(step, 0, e.Message);
        }
    }

    private static void CloseAll(int[] fds)
    {
        for (var i = 0; i < fds.Length; i++)
        {
            if (fds[i] >= 0) Libc.close(fds[i]);
            fds[i] = -1;
        }
    }

    /// <summary>
    /// The box's steps up to the wait for its program: the init's, then the fork, then the
    /// program's process waits for the run plan. Returns where the init leaves its CPU clock.
    /// </summary>
    /// <param name="joinedClock">cgroup v1: where the init's CPU clock goes once it is in its cgroup (after the go byte).</param>
    private static long* BuildPlan(SyscallPlan plan, BoxIdentity identity, int tasksFdCount, BoxLayout layout, string newRoot, long* joinedClock,
        bool announceBuilt)
    {
        ParentDeath.AddFirstChildStep(plan);
        // Before the go byte: the move overlaps the parent's id-map writes.
        CgroupSelfAttach.AddChildSteps(plan, CgroupTasksFd, tasksFdCount);
        plan.Add(LaunchStep.WaitGo, "wait for the go byte", Sys.Read, SocketFd, (long)plan.Arena.Allocate(8), 1,
            flags: NativeLaunch.CheckEqual, expect: 1);
        if (joinedClock is not null)
            SetupCpu.AddJoinedReading(plan, joinedClock);
        // Whatever the launcher had open, the service's stdio included; the handoff's fds come
        // in at the lowest free numbers and move to their targets.
        plan.Add(LaunchStep.Stdio, $"close fds 0-{SocketFd - 1}", Sys.CloseRange, 0, SocketFd - 1, 0);
        plan.Add(LaunchStep.Stdio, $"close fds {LauncherPidfdFd + 1}-{StatusFd - 1}", Sys.CloseRange, LauncherPidfdFd + 1, StatusFd - 1, 0);
        plan.Add(LaunchStep.Stdio, $"close fds {StatusFd + 1}-", Sys.CloseRange, StatusFd + 1, uint.MaxValue, 0);
        // The box's init is a copy of its launcher. Non-dumpable, its /proc files belong to the
        // host's root and the box cannot read them; the program becomes dumpable again at execve.
        plan.Add(LaunchStep.Credentials, "prctl(PR_SET_DUMPABLE, 0)", Sys.Prctl, Flags.PrSetDumpable, 0, 0, 0, 0);
        CgroupNamespace.AddChildSteps(plan);
        UserNamespace.AddChildSteps(plan, identity);
        ParentDeath.AddChildSteps(plan, LauncherPidfdFd);
        // None of these depends on the program, so a warm box has them done before it comes.
        MountNamespace.AddChildSteps(plan, layout.Mounts, newRoot);
        UtsNamespace.AddChildSteps(plan, layout.Hostname);
        NetworkNamespace.AddChildSteps(plan);
        ChildSignals.AddChildSteps(plan);
        Capabilities.AddBoundingSteps(plan);
        // The program's process is forked now too: the init stays behind as its reaper (it closes
        // its copy of the socket), the process waits for the run plan. Neither has the program's fds yet.
        var initCpuClock = SetupCpu.AddInitReading(plan);
        plan.AddFork();
        if (announceBuilt)
        {
            var built = plan.Arena.Allocate(1);
            *built = 1;
            plan.Add(LaunchStep.WaitGo, "say the box is built", Sys.Write, SocketFd, (long)built, 1, flags: NativeLaunch.CheckEqual, expect: 1);
        }
        plan.AddReceive(LaunchStep.WaitGo, SocketFd);
        return initCpuClock;
    }

    /// <summary>
    /// False when the box can no longer serve: its init has exited (its launcher died, or a step
    /// failed) or it wrote a failure to its socket.
    /// </summary>
    public bool IsUsable
    {
        get
        {
            if (_exited || _socket < 0) return false;
            var polls = stackalloc Libc.PollFd[2];
            polls[0] = new Libc.PollFd { Fd = Pidfd, Events = Libc.PollIn };
            polls[1] = new Libc.PollFd { Fd = _socket, Events = Libc.PollIn };
            return Libc.poll(polls, 2, 0) == 0;
        }
    }

    /// <summary>
    /// Sends the run plan and the program's fds (stdin, stdout, stderr, the error pipe and, for a
    /// box built ahead with a work dir, its detached mount; -1: none) to the program's process.
    /// Returns 0 or an errno (EPIPE: the box is gone). Only once: the process closes its socket.
    /// </summary>
    public int Handoff(NativeLaunch.RunnerPlan* runPlan, int stdin, int stdout, int stderr, int error, int boxTree)
    {
        if (_socket < 0) return Errno.EPIPE;
        ReadOnlySpan<int> all = [stdin, stdout, stderr, error, boxTree];
        var fds = boxTree >= 0 ? all : all[..4];
        var handoff = new NativeLaunch.RunnerHandoff { Plan = runPlan, FdCount = fds.Length };
        ReadOnlySpan<int> targets = [StdinFd, StdoutFd, StderrFd, ErrorFd, BoxTreeFd];
        for (var i = 0; i < fds.Length; i++) handoff.Targets[i] = targets[i];
        var sent = LauncherProcess.Send(_socket, &handoff, sizeof(NativeLaunch.RunnerHandoff), fds);
        return sent < 0 ? Libc.Errno : 0;
    }

    private NativeLaunch.RunnerError? _failure;

    /// <summary>
    /// Waits until the box is built: its filesystem made and pivoted into, and its program's
    /// process forked and waiting for the run plan (it says so on the socket; see
    /// <c>announceBuilt</c> of <see cref="Prepare"/>). False when the box failed
    /// (<see cref="PreparationError"/> says why) or died instead, or on timeout, in slices of
    /// 100 ms until <paramref name="giveUp"/> says so.
    /// </summary>
    public bool WaitUntilBuilt(Func<bool> giveUp)
    {
        var polls = stackalloc Libc.PollFd[2];
        while (true)
        {
            polls[0] = new Libc.PollFd { Fd = _socket, Events = Libc.PollIn };
            polls[1] = new Libc.PollFd { Fd = Pidfd, Events = Libc.PollIn };
            var ready = Libc.poll(polls, 2, 100);
            if (ready < 0 && Libc.Errno == Errno.EINTR) continue;
            if (ready == 0)
            {
                if (giveUp()) return false;
                continue;
            }
            if ((polls[0].Revents & Libc.PollIn) == 0) return false;
            // One byte: built. A step's failure is a struct runner_error, kept for PreparationError.
            NativeLaunch.RunnerError message;
            var got = Receive(&message);
            if (got == 1) return true;
            if (got == sizeof(NativeLaunch.RunnerError)) _failure = message;
            return false;
        }
    }

    /// <summary>A failure of one of this box's own steps, when its init reported one.</summary>
    public (LaunchStep Step, int Errno, string What)? PreparationError()
    {
        if (_failure is { } reported)
        {
            var (failedStep, failedWhat) = _plan.Describe(reported.OpIndex);
            return (failedStep, reported.Error, failedWhat);
        }
        if (_socket < 0) return null;
        NativeLaunch.RunnerError error;
        var got = Receive(&error);
        // A box that died with the handoff still unread in its queue leaves ECONNRESET on this end,
        // reported once, ahead of the failure it wrote before dying.
        if (got < 0 && Libc.Errno == Errno.ECONNRESET) got = Receive(&error);
        if (got != sizeof(NativeLaunch.RunnerError)) return null;
        var (step, what) = _plan.Describe(error.OpIndex);
        return (step, error.Error, what);
    }

    /// <summary>One message from the box's socket, without waiting: its byte count, or -1 (errno set).</summary>
    private nint Receive(NativeLaunch.RunnerError* message)
    {
        var iov = new Libc.IoVec { Base = message, Length = (nuint)sizeof(NativeLaunch.RunnerError) };
        var header = new Libc.MsgHdr { Iov = &iov, IovLength = 1 };
        return Libc.recvmsg(_socket, &header, Libc.MsgDontwait);
    }

    public void Kill() => Libc.syscall(Sys.PidfdSendSignal, Pidfd, Libc.SigKill, 0, 0);

    /// <summary>Waits until the box's init has exited (and reaps it when this process cloned it).</summary>
    public void WaitForExit()
    {
        if (_exited || Pidfd < 0) return;
        var poll = new Libc.PollFd { Fd = Pidfd, Events = Libc.PollIn };
        while (Libc.poll(&poll, 1, -1) < 0 && Libc.Errno == Errno.EINTR) { }
        if (_ourChild)
        {
            var info = stackalloc byte[128];
            while (Libc.waitid(Libc.PPidfd, Pidfd, info, Libc.WExited) < 0 && Libc.Errno == Errno.EINTR) { }
        }
        _exited = true;
    }

    /// <summary>Kills the box if it still runs, waits for it and frees its fds and plan. Not its cgroup.</summary>
    public void Dispose()
    {
        if (Pidfd >= 0)
        {
            if (!_exited) Kill();
            WaitForExit();
            Libc.close(Pidfd);
            Pidfd = -1;
        }
        if (_socket >= 0)
        {
            Libc.close(_socket);
            _socket = -1;
        }
        if (StatusChannel >= 0)
        {
            Libc.close(StatusChannel);
            StatusChannel = -1;
        }
        _plan.Dispose();
    }
}

/// <summary>A launch step that failed in the parent or in the box, with its errno (0: none).</summary>
internal sealed class LaunchFailure(LaunchStep step, int errno, string what) : Exception(what)
{
    public LaunchStep Step { get; } = step;
    public int Errno { get; } = errno;
    public string What { get; } = what;
}
