using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Runner.Api.Tests.Infrastructure;

/// <summary>A loopback HTTP endpoint that records every callback it receives.</summary>
public sealed class CallbackListener : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public sealed record Received(string Body, string? Signature, string? Submission)
    {
        public string Method { get; init; } = "POST";
    }

    public ConcurrentQueue<Received> Requests { get; } = new();

    /// <summary>Answer 500 to this many requests first, to exercise retries.</summary>
    public int FailFirst { get; set; }

    public string Url { get; }

    public CallbackListener()
    {
        var port = FreePort();
        Url = $"http://127.0.0.1:{port}/hook/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    private async Task LoopAsync()
    {
        var seen = 0;
        while (_listener.IsListening)
        {
            HttpListenerContext ctx;
            try
            {
                ctx = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            using var reader = new StreamReader(ctx.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            if (Interlocked.Increment(ref seen) <= FailFirst)
            {
                ctx.Response.StatusCode = 500;
            }
            else
            {
                Requests.Enqueue(new Received(body, ctx.Request.Headers["X-Runner-Signature"], ctx.Request.Headers["X-Runner-Submission"]) { Method = ctx.Request.HttpMethod });
                ctx.Response.StatusCode = 204;
            }
            ctx.Response.Close();
        }
    }

    public async Task<Received> WaitForAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Requests.TryPeek(out var r)) return r;
            await Task.Delay(50);
        }
        throw new TimeoutException($"no callback arrived at {Url} within {timeout}");
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}
