using System.Globalization;
using System.Text;
using Runner.Sandbox.Native;
using Runner.Sandbox.Plan;

namespace Runner.Sandbox.Launch;

/// <summary>
/// runner-launcher (Native/runner_launcher.c), the small process boxes are cloned from, so a
/// clone copies its few page tables instead of the .NET heap's. It maps <see cref="PlanMemory"/>
/// at the same address, takes one clone request at a time over a SOCK_SEQPACKET socket and
/// answers with the box's pid and pidfd. It exits when this process closes the socket or dies,
/// and its boxes die with it (their parent-death signal).
/// </summary>
internal sealed unsafe class LauncherProcess : IDisposable
{
    private static readonly Lock SharedGate = new();
    private static LauncherProcess? _shared;
    private static string? _sharedFailure;

    private readonly Lock _gate = new();
    private int _control;
    private bool _ready;

    private LauncherProcess(int pid, int pidfd, int control)
    {
        Pid = pid;
        Pidfd = pidfd;
        _control = control;
    }

    public int Pid { get; }

    /// <summary>A pidfd of the launcher (CLOEXEC): readable once it has exited.</summary>
    public int Pidfd { get; private set; }

    public static string ExecutablePath => Path.Combine(AppContext.BaseDirectory, "runner-launcher");

    /// <summary>Why the process-wide launcher could not be started, or null.</summary>
    public static string? SharedFailure => _sharedFailure;

    /// <summary>
    /// The process-wide launcher for cold launches, started on first use and again if it died;
    /// null when it cannot run here (no runner-launcher next to the engine, as in a guest given
    /// only the runner binary, or the plan memory's address is taken in it): boxes are then
    /// cloned in-process.
    /// </summary>
    public static LauncherProcess? Shared()
    {
        lock (SharedGate)
        {
            if (_shared is { } live && live.IsAlive) return live;
            _shared?.Dispose();
            _shared = null;
            if (_sharedFailure is not null) return null;
            try
            {
                _shared = Spawn();
            }
            catch (IOException e)
            {
                _sharedFailure = e.Message;
            }
            return _shared;
        }
    }

    /// <summary>
    /// <paramref name="launcher"/> (from <see cref="Shared"/>) once it has said it is ready, or null
    /// when it could not map the plan memory: boxes are then cloned in-process, as when
    /// <see cref="Shared"/> returns null. <see cref="Shared"/> does not wait for that answer, so the
    /// launcher's exec overlaps the caller's own work (a one-shot <c>runner run</c> spends it making
    /// the box's cgroup and plan).
    /// </summary>
    public static LauncherProcess? Confirmed(LauncherProcess launcher)
    {
        try
        {
            launcher.WaitUntilReady();
            return launcher;
        }
        catch (IOException e)
        {
            lock (SharedGate)
            {
                _sharedFailure = e.Message;
                if (_shared == launcher) _shared = null;
            }
            launcher.Dispose();
            return null;
        }
    }

    public static LauncherProcess Start()
    {
        var launcher = Spawn();
        try
        {
            launcher.WaitUntilReady();
            return launcher;
        }
        catch
        {
            launcher.Dispose();
            throw;
        }
    }

    /// <summary>Reads the launcher's first reply (0 once the plan memory is mapped), once.</summary>
    private void WaitUntilReady()
    {
        lock (_gate)
        {
            if (_ready) return;
            if (_control < 0 || ReadReply(out _) != 0)
                throw new IOException($"{ExecutablePath} could not map the plan memory at 0x{PlanMemory.Address:x}");
            _ready = true;
        }
    }

    /// <summary>Starts runner-launcher; its ready reply is read by <see cref="WaitUntilReady"/>.</summary>
    private static LauncherProcess Spawn()
    {
        var path = ExecutablePath;
        if (!File.Exists(path)) throw new IOException($"{path} does not exist");
        var pair = stackalloc int[2];
        if (Libc.socketpair(Libc.AfUnix, Libc.SockSeqpacket | Libc.SockCloexec, 0, pair) < 0)
            throw new IOException($"socketpair failed: {ErrnoName.Describe(Libc.Errno)}");
        int ours = pair[0], theirs = AboveStdio(pair[1]), memory = AboveStdio(PlanMemory.Fd, keepSource: true);
        try
        {
            string[] args = [path, "0x" + PlanMemory.Address.ToString("x", CultureInfo.InvariantCulture),
                PlanMemory.Size.ToString(CultureInfo.InvariantCulture)];
            var pid = Spawn(args, theirs, memory);
            if (pid < 0) throw new IOException($"cannot start {path}: {ErrnoName.Describe((int)-pid)}");
            var pidfd = (int)Libc.syscall(Sys.PidfdOpen, pid, 0, 0, 0);
            if (pidfd < 0) throw new IOException($"pidfd_open of runner-launcher failed: {ErrnoName.Describe(Libc.Errno)}");
            var launcher = new LauncherProcess((int)pid, pidfd, ours);
            ours = -1;
            return launcher;
        }
        finally
        {
            if (ours >= 0) Libc.close(ours);
            Libc.close(theirs);
            if (memory != PlanMemory.Fd) Libc.close(memory);
        }
    }

    /// <summary>True until the launcher has exited (a cheap poll of its pidfd).</summary>
    public bool IsAlive
    {
        get
        {
            if (Pidfd < 0) return false;
            var poll = new Libc.PollFd { Fd = Pidfd, Events = Libc.PollIn };
            return Libc.poll(&poll, 1, 0) == 0;
        }
    }

    /// <summary>
    /// Clones a box that runs <paramref name="plan"/> (in plan memory), with <paramref name="fds"/>
    /// at <paramref name="targets"/> and, when <paramref name="cgroupFd"/> is not -1, inside that
    /// cgroup from birth. Returns the pid and sets <paramref name="pidfd"/>, or returns -errno.
    /// </summary>
    public long Clone(NativeLaunch.RunnerPlan* plan, ulong namespaceFlags, int cgroupFd, long ownerUid,
        ReadOnlySpan<int> fds, ReadOnlySpan<int> targets, out int pidfd)
    {
        pidfd = -1;
        var request = new NativeLaunch.RunnerCloneRequest
        {
            Plan = plan,
            NamespaceFlags = namespaceFlags,
            OwnerUid = ownerUid,
            CgroupIndex = -1,
            FdCount = fds.Length,
        };
        Span<int> all = stackalloc int[NativeLaunch.MaxFds];
        fds.CopyTo(all);
        for (var i = 0; i < fds.Length; i++) request.Targets[i] = targets[i];
        if (cgroupFd >= 0)
        {
            request.CgroupIndex = fds.Length;
            request.Targets[fds.Length] = -1;
            all[fds.Length] = cgroupFd;
            request.FdCount++;
        }
        if (!_ready)
        {
            try
            {
                WaitUntilReady();
            }
            catch (IOException)
            {
                return -Errno.EPIPE;
            }
        }
        lock (_gate)
        {
            if (_control < 0) return -Errno.EPIPE;
            if (Send(_control, &request, sizeof(NativeLaunch.RunnerCloneRequest), all[..request.FdCount]) < 0)
                return -Libc.Errno;
            return ReadReply(out pidfd);
        }
    }

    /// <summary>The launcher's answer: a pid or -errno, with the box's pidfd when there is one.</summary>
    private long ReadReply(out int pidfd)
    {
        pidfd = -1;
        long result = 0;
        var iov = new Libc.IoVec { Base = &result, Length = sizeof(long) };
        var control = stackalloc byte[32];
        var message = new Libc.MsgHdr { Iov = &iov, IovLength = 1, Control = control, ControlLength = 32 };
        nint got;
        do got = Libc.recvmsg(_control, &message, Libc.MsgCmsgCloexec);
        while (got < 0 && Libc.Errno == Errno.EINTR);
        if (got != sizeof(long)) return -Errno.EPIPE;
        var header = (Libc.CmsgHdr*)control;
        if (message.ControlLength >= (nuint)sizeof(Libc.CmsgHdr) + sizeof(int) && header->Level == Libc.SolSocket && header->Type == Libc.ScmRights)
            pidfd = *(int*)(control + sizeof(Libc.CmsgHdr));
        return result;
    }

    /// <summary>One SOCK_SEQPACKET message with <paramref name="fds"/> as SCM_RIGHTS; -1 and errno on failure.</summary>
    internal static nint Send(int socket, void* data, int length, ReadOnlySpan<int> fds)
    {
        var iov = new Libc.IoVec { Base = data, Length = (nuint)length };
        var controlLength = sizeof(Libc.CmsgHdr) + (NativeLaunch.MaxFds * sizeof(int));
        var control = stackalloc byte[controlLength];
        new Span<byte>(control, controlLength).Clear();
        var message = new Libc.MsgHdr { Iov = &iov, IovLength = 1 };
        if (fds.Length > 0)
        {
            var header = (Libc.CmsgHdr*)control;
            header->Level = Libc.SolSocket;
            header->Type = Libc.ScmRights;
            header->Length = (nuint)(sizeof(Libc.CmsgHdr) + (fds.Length * sizeof(int)));
            fds.CopyTo(new Span<int>(control + sizeof(Libc.CmsgHdr), fds.Length));
            message.Control = control;
            // CMSG_SPACE: the data rounded up to 8 bytes.
            message.ControlLength = (nuint)(sizeof(Libc.CmsgHdr) + (((fds.Length * sizeof(int)) + 7) & ~7));
        }
        nint sent;
        do sent = Libc.sendmsg(socket, &message, Libc.MsgNosignal);
        while (sent < 0 && Libc.Errno == Errno.EINTR);
        return sent;
    }

    private static long Spawn(string[] args, int control, int memory)
    {
        var encoded = args.Select(a => Encoding.UTF8.GetBytes(a + "\0")).ToArray();
        var handles = encoded.Select(b => System.Runtime.InteropServices.GCHandle.Alloc(b, System.Runtime.InteropServices.GCHandleType.Pinned)).ToArray();
        try
        {
            var argv = stackalloc byte*[args.Length + 1];
            for (var i = 0; i < args.Length; i++) argv[i] = (byte*)handles[i].AddrOfPinnedObject();
            argv[args.Length] = null;
            return NativeLaunch.runner_start_launcher(argv[0], argv, control, memory);
        }
        finally
        {
            foreach (var handle in handles) handle.Free();
        }
    }

    /// <summary>runner_start_launcher puts its fds at 3 and 4, so none may already sit there.</summary>
    private static int AboveStdio(int fd, bool keepSource = false)
    {
        if (fd > 4) return fd;
        var moved = Libc.fcntl(fd, Libc.FDupfdCloexec, 5);
        if (!keepSource) Libc.close(fd);
        if (moved < 0) throw new IOException($"fcntl(F_DUPFD_CLOEXEC) failed: {ErrnoName.Describe(Libc.Errno)}");
        return moved;
    }

    /// <summary>Closes the socket (the launcher exits, and its boxes with it) and reaps the launcher.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_control >= 0) Libc.close(_control);
            _control = -1;
        }
        if (Pidfd < 0) return;
        var poll = new Libc.PollFd { Fd = Pidfd, Events = Libc.PollIn };
        if (Libc.poll(&poll, 1, 2000) == 0) Libc.syscall(Sys.PidfdSendSignal, Pidfd, Libc.SigKill, 0, 0);
        var info = stackalloc byte[128];
        while (Libc.waitid(Libc.PPidfd, Pidfd, info, Libc.WExited) < 0 && Libc.Errno == Errno.EINTR) { }
        Libc.close(Pidfd);
        Pidfd = -1;
    }
}
