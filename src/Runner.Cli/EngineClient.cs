using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Runner.Sandbox;
using Runner.Sandbox.HostFiles;

namespace Runner.Cli;

/// <summary>
/// <c>runner run</c>'s side of a resident engine (<c>runner engine</c>): it sends the run and
/// prints the reply, so the box comes from the engine's warm pool and the CLI makes none. The
/// socket is made with libc directly: System.Net.Sockets starts an epoll thread and probes the
/// address families on first use, start-up a one-shot CLI does not need.
/// </summary>
internal static partial class EngineClient
{
    public const string Variable = "RUNNER_ENGINE";

    /// <param name="Required">Named in RUNNER_ENGINE: an engine that cannot take the run is an error, not a reason to run in-process.</param>
    internal sealed record Target(string SocketPath, bool Required);

    /// <summary>
    /// Which engine <c>runner run</c> asks, from RUNNER_ENGINE: unset, the one whose socket is in
    /// the state directory, if there is one; <c>off</c>, none; a path, the engine listening there.
    /// Null: run in this process.
    /// </summary>
    public static Target? Find(Func<string, string?> environment, SandboxOptions options)
    {
        switch (environment(Variable))
        {
            case null or "":
                var path = Path.Combine(Box.StateDirectoryOf(options), EngineProtocol.SocketName);
                return FileStatus.OfPathNoFollow(path) is { IsSocket: true } ? new Target(path, Required: false) : null;
            case "off":
                return null;
            case var named when Path.IsPathRooted(named):
                return new Target(named, Required: true);
            case var other:
                throw new CliUsageException(Variable, $"expected 'off' or the absolute path of a runner engine's socket, got '{other}'");
        }
    }

    /// <summary>
    /// The engine's result; null when no engine answers or it cannot take this run, and the
    /// target was not required (the caller then runs the box itself). Cancelling shuts down the
    /// sending side of the connection, which tells the engine to stop the program; its result
    /// (or <see cref="OperationCanceledException"/>) still comes back.
    /// </summary>
    public static SandboxResult? Run(Target target, SandboxSpec spec, SandboxOptions options, CancellationToken cancellationToken)
    {
        var fd = Connect(target.SocketPath, out var error);
        if (fd < 0)
        {
            // A socket left by an engine that was killed, or one that is not ours to use.
            if (!target.Required) return null;
            throw new CliUsageException(Variable,
                $"no runner engine answers on {target.SocketPath} ({error}); start one with 'runner engine' or unset {Variable}");
        }
        using var connection = new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.ReadWrite, bufferSize: 0);
        EngineProtocol.WriteFrame(connection, w => EngineProtocol.WriteRequest(w,
            new EngineRequest(options, spec, EngineRequest.MountNamespaceOfThisProcess())));
        EngineReply reply;
        using (cancellationToken.Register(() => shutdown(fd, ShutWrite)))
        {
            using var body = EngineProtocol.ReadFrame(connection)
                ?? throw new IOException($"the runner engine on {target.SocketPath} closed the connection without a result");
            reply = EngineProtocol.ReadReply(body);
        }
        return reply.Kind switch
        {
            EngineReplyKind.Result => reply.Result,
            EngineReplyKind.InvalidSpec => throw new SandboxSpecException(reply.Field ?? "", reply.Message),
            EngineReplyKind.Interrupted => throw new OperationCanceledException(reply.Message),
            _ when target.Required => throw new CliUsageException(Variable, reply.Message),
            _ => null,
        };
    }

    private const int AfUnix = 1, SockStream = 1, SockCloexec = 0x80000, ShutWrite = 1, SunPathLength = 108;

    /// <summary>A connected socket's fd, or -1 with <paramref name="error"/> saying why.</summary>
    private static unsafe int Connect(string path, out string error)
    {
        var bytes = Encoding.UTF8.GetBytes(path);
        if (bytes.Length >= SunPathLength)
        {
            error = $"a socket path must be shorter than {SunPathLength} bytes";
            return -1;
        }
        var address = stackalloc byte[2 + SunPathLength];
        new Span<byte>(address, 2 + SunPathLength).Clear();
        address[0] = AfUnix;
        bytes.CopyTo(new Span<byte>(address + 2, SunPathLength));
        var fd = socket(AfUnix, SockStream | SockCloexec, 0);
        if (fd >= 0 && connect(fd, address, 2 + bytes.Length + 1) == 0)
        {
            error = "";
            return fd;
        }
        error = Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
        if (fd >= 0) close(fd);
        return -1;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int connect(int fd, byte* address, int length);

    [LibraryImport("libc")]
    private static partial int shutdown(int fd, int how);

    [LibraryImport("libc")]
    private static partial int close(int fd);
}
