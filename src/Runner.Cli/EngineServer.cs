using System.Net.Sockets;
using Runner.Sandbox;
using Runner.Sandbox.HostFiles;
using Runner.Sandbox.Native;

namespace Runner.Cli;

/// <summary>
/// A resident engine: a Unix socket on which <c>runner run</c> hands over its run, served from a
/// warm pool this process keeps (<see cref="SandboxOptions.WarmBoxes"/>). Only this uid may
/// connect: the socket is mode 0600 and every connection's peer credentials are checked, since
/// a run can bind any path this uid can read into a box. One thread per connection; a CLI that
/// hangs up (Ctrl-C, killed) has its program stopped.
/// </summary>
internal sealed class EngineServer : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);
    /// <summary>
    /// How long a run goes before the engine watches its connection for a hang-up: watching
    /// registers the socket with .NET's epoll thread, 0.15 ms of a `runner run /bin/true`'s 5 ms
    /// (median of 500, hyperfine), and most runs end sooner than a person presses Ctrl-C.
    /// </summary>
    private static readonly TimeSpan HangUpWatchDelay = TimeSpan.FromMilliseconds(50);
    private readonly Socket _listener;
    private readonly SandboxOptions _options;
    private readonly string _mountNamespace = EngineRequest.MountNamespaceOfThisProcess();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Thread _accepting;
    private readonly object _gate = new();
    private int _serving;
    private bool _disposed;

    public string SocketPath { get; }

    private EngineServer(string socketPath, Socket listener, SandboxOptions options)
    {
        SocketPath = socketPath;
        _listener = listener;
        _options = options;
        // A thread of its own, blocked in accept(2): a connection reaches its serving thread
        // without a hop through the epoll thread and the thread pool.
        _accepting = new Thread(AcceptLoop) { IsBackground = true, Name = "runner engine accept" };
        _accepting.Start();
    }

    /// <summary>
    /// Listens on <paramref name="socketPath"/> and serves runs with <paramref name="options"/>
    /// (whose <see cref="SandboxOptions.WarmBoxes"/> should be above 0). A socket left there by
    /// an engine that is gone is replaced; one that answers is an error.
    /// </summary>
    /// <exception cref="CliUsageException">Another engine answers on the socket, or it cannot be made.</exception>
    public static EngineServer Start(string socketPath, SandboxOptions options)
    {
        if (FileStatus.OfPathNoFollow(socketPath) is { } existing)
        {
            if (!existing.IsSocket)
                throw new CliUsageException("--socket", $"{socketPath} exists and is not a socket; remove it or name another path");
            if (Answers(socketPath))
                throw new CliUsageException("--socket", $"a runner engine already listens on {socketPath}");
        }
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            // Left by an engine that is gone (checked above: a socket nobody answers on).
            File.Delete(socketPath);
            listener.Bind(new UnixDomainSocketEndPoint(socketPath));
            // Before listen, so nobody connects while it has the umask's mode; the peer check
            // below holds even then.
            File.SetUnixFileMode(socketPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            listener.Listen(64);
        }
        catch (Exception e) when (e is SocketException or IOException or UnauthorizedAccessException)
        {
            listener.Dispose();
            throw new CliUsageException("--socket", $"cannot listen on {socketPath}: {e.Message}");
        }
        return new EngineServer(socketPath, listener, options);
    }

    private static bool Answers(string socketPath)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(socketPath));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private void AcceptLoop()
    {
        while (true)
        {
            Socket connection;
            try
            {
                connection = _listener.Accept();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException && _stopping.IsCancellationRequested)
            {
                return;
            }
            if (_stopping.IsCancellationRequested)
            {
                connection.Dispose();
                return;
            }
            lock (_gate) _serving++;
            new Thread(() => Serve(connection)) { IsBackground = true, Name = "runner engine connection" }.Start();
        }
    }

    private void Serve(Socket connection)
    {
        try
        {
            using (connection)
            using (var stream = new NetworkStream(connection, ownsSocket: false))
            {
                EngineReply reply;
                if (UnixSocket.PeerUid(connection.Handle) is var uid && uid != UnixSocket.EffectiveUid)
                    reply = new EngineReply(EngineReplyKind.Refused, $"the engine on {SocketPath} serves uid {UnixSocket.EffectiveUid} only, not uid {uid}");
                else
                {
                    // A CLI writes its request as soon as it connects; a connection that sends
                    // nothing must not hold a thread (and the engine's shutdown) for ever.
                    connection.ReceiveTimeout = (int)RequestTimeout.TotalMilliseconds;
                    using var body = EngineProtocol.ReadFrame(stream);
                    if (body is null) return;
                    connection.ReceiveTimeout = 0;
                    reply = Answer(EngineProtocol.ReadRequest(body), connection);
                }
                EngineProtocol.WriteFrame(stream, w => EngineProtocol.WriteReply(w, reply));
            }
        }
        catch (Exception e) when (e is SocketException or IOException or InvalidDataException)
        {
            // The CLI went away, or did not speak this build's protocol: its run ends with it.
        }
        finally
        {
            lock (_gate)
            {
                _serving--;
                Monitor.PulseAll(_gate);
            }
        }
    }

    private EngineReply Answer(EngineRequest? request, Socket connection)
    {
        if (request is not var (options, spec, mountNamespace))
            return new EngineReply(EngineReplyKind.Refused, $"the engine on {SocketPath} speaks another protocol than this runner; run the same build");
        if (mountNamespace != _mountNamespace)
            return new EngineReply(EngineReplyKind.Refused, $"the engine on {SocketPath} runs in another mount namespace ({_mountNamespace}, this runner is in {mountNamespace}), where this runner's paths would name other files");
        if (options with { WarmBoxes = _options.WarmBoxes } != _options)
            return new EngineReply(EngineReplyKind.Refused, $"the engine on {SocketPath} runs with other RUNNER_* settings than this runner");

        using var run = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        using var watching = new CancellationTokenSource();
        // The token, not its source, goes to the timer: a late callback must not touch a disposed source.
        var stopWatching = watching.Token;
        using var watch = new Timer(_ => WatchForHangUp(connection, run, stopWatching), null, HangUpWatchDelay, Timeout.InfiniteTimeSpan);
        try
        {
            return new EngineReply(EngineReplyKind.Result, "", Result: Box.Run(spec, _options, run.Token));
        }
        catch (SandboxSpecException e)
        {
            return new EngineReply(EngineReplyKind.InvalidSpec, e.Message, Field: e.Field);
        }
        catch (OperationCanceledException)
        {
            return new EngineReply(EngineReplyKind.Interrupted, "the run was interrupted before it started");
        }
        finally
        {
            watching.Cancel();
        }
    }

    /// <summary>
    /// The CLI sends nothing after its request; the end of its stream (it shut down its side on
    /// Ctrl-C, or died) stops the run.
    /// </summary>
    private static void WatchForHangUp(Socket connection, CancellationTokenSource run, CancellationToken watching)
    {
        try
        {
            connection.ReceiveAsync(new byte[1], SocketFlags.None, watching).AsTask().ContinueWith(received =>
            {
                if (!received.IsCompletedSuccessfully) return;
                try
                {
                    run.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // The run ended as the CLI hung up.
                }
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
        catch (Exception e) when (e is ObjectDisposedException or SocketException)
        {
            // The run ended, and its connection with it, as the watch was about to start.
        }
    }

    /// <summary>Stops accepting, stops the runs in progress, and drains the warm pool: nothing of any box is left.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _stopping.Cancel();
        // accept(2) is not woken by closing its socket from another thread; a connection is.
        if (Answers(SocketPath)) _accepting.Join(TimeSpan.FromSeconds(5));
        _listener.Dispose();
        lock (_gate)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (_serving > 0 && DateTime.UtcNow < deadline) Monitor.Wait(_gate, TimeSpan.FromMilliseconds(100));
        }
        File.Delete(SocketPath);
        WarmPool.DrainShared();
        Box.DrainTeardowns();
        _stopping.Dispose();
    }
}
