using Runner.Sandbox.HostFiles;
using Runner.Sandbox.Native;

namespace Runner.Sandbox.Launch;

/// <summary>
/// The parent's file descriptors for one launch. Every fd is CLOEXEC (other boxes launched
/// concurrently must not inherit it past their execve) and at least 3, so the child's
/// dup3 onto 0-2 can never clobber one of them.
/// </summary>
internal sealed unsafe class FdSet : IDisposable
{
    private readonly HashSet<int> _open = [];

    public (int Read, int Write) Pipe()
    {
        var pair = stackalloc int[2];
        if (Libc.pipe2(pair, Libc.OCloexec) < 0)
            throw new IOException($"pipe2 failed: {ErrnoName.Describe(Libc.Errno)}");
        return (Keep(pair[0]), Keep(pair[1]));
    }

    /// <summary>A SOCK_SEQPACKET pair, for a channel the box must also see hung up.</summary>
    public (int Parent, int Child) SocketPair()
    {
        var pair = stackalloc int[2];
        if (Libc.socketpair(Libc.AfUnix, Libc.SockSeqpacket | Libc.SockCloexec, 0, pair) < 0)
            throw new IOException($"socketpair failed: {ErrnoName.Describe(Libc.Errno)}");
        return (Keep(pair[0]), Keep(pair[1]));
    }

    /// <summary>The box's stdin, opened without following symlinks or blocking (see <see cref="StdinFile"/>).</summary>
    public int OpenStdin(string path) => Keep(StdinFile.Open(path));

    /// <summary>Takes ownership of fds opened elsewhere (a connected pair's pipe ends): closed with the rest.</summary>
    public void Adopt(params ReadOnlySpan<int> fds)
    {
        foreach (var fd in fds) _open.Add(fd);
    }

    /// <summary>An fd opened elsewhere, kept above stdio like the rest and closed with them.</summary>
    public int Own(int fd) => Keep(fd);

    /// <summary>Hands fds over to another owner (see <see cref="Adopt"/>): no longer closed here.</summary>
    public void Release(params ReadOnlySpan<int> fds)
    {
        foreach (var fd in fds) _open.Remove(fd);
    }

    public void SetNonBlocking(int fd) => Libc.fcntl(fd, Libc.FSetfl, Libc.fcntl(fd, Libc.FGetfl, 0) | Libc.ONonblock);

    public void CloseAll(params ReadOnlySpan<int> fds)
    {
        foreach (var fd in fds)
            if (_open.Remove(fd)) Libc.close(fd);
    }

    private int Keep(int fd)
    {
        if (fd < 3)
        {
            var moved = Libc.fcntl(fd, Libc.FDupfdCloexec, 3);
            Libc.close(fd);
            if (moved < 0) throw new IOException($"fcntl(F_DUPFD_CLOEXEC) failed: {ErrnoName.Describe(Libc.Errno)}");
            fd = moved;
        }
        _open.Add(fd);
        return fd;
    }

    public void Dispose()
    {
        foreach (var fd in _open) Libc.close(fd);
        _open.Clear();
    }
}
