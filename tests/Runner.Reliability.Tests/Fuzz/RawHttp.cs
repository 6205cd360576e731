using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Runner.Reliability.Tests.Fuzz;

/// <summary>
/// What came back for one raw request: the status and Content-Type, and how long the first byte
/// took; null when the connection closed without an answer.
/// </summary>
public sealed record RawAnswer(int Status, string? ContentType, string Head, double Seconds);

/// <summary>
/// HTTP/1.1 over a plain socket, one connection per request, so a request can be anything at
/// all on the wire (broken framing, huge heads, bad bytes), not only what HttpClient sends.
/// </summary>
public static class RawHttp
{
    public static byte[] Request(string method, string target, IEnumerable<(string Name, string Value)> headers, byte[]? body, bool contentLength = true)
    {
        var head = new StringBuilder($"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        foreach (var (name, value) in headers) head.Append(name).Append(": ").Append(value).Append("\r\n");
        if (body is not null && contentLength) head.Append("Content-Length: ").Append(body.Length).Append("\r\n");
        head.Append("\r\n");
        return [.. Encoding.Latin1.GetBytes(head.ToString()), .. body ?? []];
    }

    public static async Task<RawAnswer?> SendAsync(int port, byte[] request, TimeSpan timeout)
    {
        var started = DateTime.UtcNow;
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var cts = new CancellationTokenSource(timeout);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
        try
        {
            await socket.SendAsync(request, SocketFlags.None, cts.Token);
        }
        catch (SocketException)
        {
            // The server may answer (413, 400) and close before a large request is sent; read that answer.
        }
        var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        double? firstByte = null;
        try
        {
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                if (n == 0) break;
                firstByte ??= (DateTime.UtcNow - started).TotalSeconds;
                received.Write(buffer, 0, n);
                if (received.Length > 8 << 20) break;
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
        }
        var text = Encoding.Latin1.GetString(received.GetBuffer(), 0, (int)Math.Min(received.Length, 64 * 1024));
        var seconds = firstByte ?? (DateTime.UtcNow - started).TotalSeconds;
        if (!text.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) || text.Length < 12 || !int.TryParse(text.AsSpan(9, 3), out var status))
            return text.Length == 0 ? null : new RawAnswer(0, null, text[..Math.Min(200, text.Length)], seconds);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = end < 0 ? text : text[..end];
        var contentType = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase))?["Content-Type:".Length..].Trim();
        return new RawAnswer(status, contentType, head, seconds);
    }
}
