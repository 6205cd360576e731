using Microsoft.Win32.SafeHandles;
using Runner.Sandbox;
using Runner.Sandbox.HostFiles;
using Runner.Sandbox.Native;

namespace Runner.Cli;

/// <summary>
/// <c>runner run</c>'s side of a resident engine (<c>runner engine</c>): it sends the run and
/// prints the reply, so the box comes from the engine's warm pool and the CLI makes none. The
/// socket is <see cref="UnixSocket"/>'s, not System.Net.Sockets'.
/// </summary>
internal static class EngineClient
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
                var path = EngineProtocol.DefaultSocket(options);
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
        var fd = UnixSocket.Connect(target.SocketPath, out var error);
        if (fd < 0)
        {
            // A socket left by an engine that was killed, or one that is not ours to use.
            if (!target.Required) return null;
            throw new CliUsageException(Variable,
                $"no runner engine answers on {target.SocketPath} ({error}); start one with 'runner engine' or unset {Variable}");
        }
        using var connection = new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.ReadWrite, bufferSize: 0);
        // Whoever listens gets the spec and writes the result: only an engine of this uid may
        // (a rootless state directory in /tmp could hold another user's socket).
        if (UnixSocket.PeerUid(fd) is var uid && uid != UnixSocket.EffectiveUid)
        {
            if (!target.Required) return null;
            throw new CliUsageException(Variable, $"the socket {target.SocketPath} is served by uid {uid}, not by this uid ({UnixSocket.EffectiveUid})");
        }
        EngineProtocol.WriteFrame(connection, w => EngineProtocol.WriteRequest(w,
            new EngineRequest(options, spec, EngineRequest.MountNamespaceOfThisProcess())));
        EngineReply reply;
        using (cancellationToken.Register(() => UnixSocket.ShutdownWrite(fd)))
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
}
