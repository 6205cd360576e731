using System.Runtime.InteropServices;
using System.Text;

namespace Runner.Sandbox.Native;

/// <summary>
/// The few calls that connect <c>runner run</c> to a resident engine and let the engine check
/// who connected, straight from libc: System.Net.Sockets starts an epoll thread and probes the
/// address families on first use, start-up a one-shot CLI does not need.
/// </summary>
public static unsafe class UnixSocket
{
    /// <summary>A connected AF_UNIX stream socket (close-on-exec), or -1 with <paramref name="error"/> saying why.</summary>
    public static int Connect(string path, out string error)
    {
        var bytes = Encoding.UTF8.GetBytes(path);
        if (bytes.Length >= Libc.SunPathLength)
        {
            error = $"a socket path must be shorter than {Libc.SunPathLength} bytes";
            return -1;
        }
        // struct sockaddr_un: sa_family_t, then the NUL-terminated path.
        var address = stackalloc byte[2 + Libc.SunPathLength];
        new Span<byte>(address, 2 + Libc.SunPathLength).Clear();
        *(ushort*)address = Libc.AfUnix;
        bytes.CopyTo(new Span<byte>(address + 2, Libc.SunPathLength));
        var fd = Libc.socket(Libc.AfUnix, Libc.SockStream | Libc.SockCloexec, 0);
        if (fd >= 0 && Libc.connect(fd, address, 2 + bytes.Length + 1) == 0)
        {
            error = "";
            return fd;
        }
        error = Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
        if (fd >= 0) Libc.close(fd);
        return -1;
    }

    /// <summary>shutdown(SHUT_WR): the other end reads end-of-file; replies still come.</summary>
    public static void ShutdownWrite(int fd) => Libc.shutdown(fd, Libc.ShutWr);

    /// <summary>The uid of the process at the other end of a connected socket (SO_PEERCRED), or -1.</summary>
    public static long PeerUid(nint fd)
    {
        var credentials = stackalloc int[3]; // struct ucred { pid, uid, gid }
        var length = 3 * sizeof(int);
        return Libc.getsockopt((int)fd, Libc.SolSocket, Libc.SoPeercred, credentials, &length) == 0 ? (uint)credentials[1] : -1;
    }

    /// <summary>This process's effective uid.</summary>
    public static long EffectiveUid => Libc.geteuid();
}
