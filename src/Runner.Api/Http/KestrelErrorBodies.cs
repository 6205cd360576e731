using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Runner.Api.Http;

/// <summary>
/// Kestrel answers requests it cannot parse (a malformed request line or header, a URL or
/// header block over its limits, a request that took too long to arrive) itself, before any
/// middleware runs, with an empty body, and offers no hook to change that. This connection
/// middleware recognises exactly that response on its way out (one of those statuses,
/// "Content-Length: 0", "Connection: close", no Content-Type: a shape our own pipeline never
/// produces, because every error it writes has a problem body) and gives it an
/// application/problem+json body like every other error of the API.
/// </summary>
public static class KestrelErrorBodies
{
    public static void UseProblemBodiesForKestrelErrors(this ListenOptions listen) => listen.Use(next => async connection =>
    {
        var transport = connection.Transport;
        connection.Transport = new Duplex(transport.Input, new RewritingWriter(transport.Output));
        try
        {
            await next(connection);
        }
        finally
        {
            connection.Transport = transport;
        }
    });

    private static readonly Dictionary<int, (string Field, string Detail)> Explanations = new()
    {
        [400] = ("request", "is not valid HTTP/1.1: a malformed request line, target, header or body framing"),
        [408] = ("request", "did not arrive in time (its headers or body came too slowly)"),
        [405] = ("request", "uses a method this target does not take (the asterisk target is for OPTIONS only)"),
        [411] = ("request", "needs a Content-Length or chunked transfer encoding"),
        [413] = ("body", "is larger than the server accepts"),
        [414] = ("url", "is longer than the server accepts (64 KiB for the request line)"),
        [431] = ("headers", "are larger than the server accepts (32 KiB in all, 100 at most)"),
        [505] = ("request", "uses an HTTP version the server does not speak (it speaks HTTP/1.1)"),
    };

    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();

    /// <summary>The replacement for one of Kestrel's empty error responses, or null when <paramref name="head"/> is anything else.</summary>
    internal static byte[]? Rewrite(ReadOnlySpan<byte> head)
    {
        if (head.Length < 16 || head.Length > 1024 || !head.StartsWith("HTTP/1.1 "u8) || !head.EndsWith(HeadEnd)) return null;
        if (!int.TryParse(head.Slice(9, 3), out var status) || !Explanations.TryGetValue(status, out var explanation)) return null;
        var text = Encoding.ASCII.GetString(head);
        var lines = text[..^4].Split("\r\n");
        var headers = lines.Skip(1).ToList();
        if (!headers.Contains("Content-Length: 0", StringComparer.OrdinalIgnoreCase)
            || !headers.Contains("Connection: close", StringComparer.OrdinalIgnoreCase)
            || headers.Any(h => h.StartsWith("Content-Type:", StringComparison.OrdinalIgnoreCase)))
            return null;

        // An unknown version is a malformed request like any other: a 5xx would count against the server.
        if (status == 505) (status, lines[0]) = (400, "HTTP/1.1 400 Bad Request");
        var body = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["type"] = "https://tools.ietf.org/html/rfc9110#section-15.5",
            ["title"] = lines[0][13..],
            ["status"] = status,
            ["detail"] = $"{explanation.Field}: {explanation.Detail}",
            ["errors"] = new Dictionary<string, string[]> { [explanation.Field] = [explanation.Detail] },
        });
        var rewritten = new StringBuilder(lines[0]).Append("\r\n");
        foreach (var h in headers)
            rewritten.Append(h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase) ? $"Content-Length: {body.Length}" : h).Append("\r\n");
        rewritten.Append("Content-Type: application/problem+json\r\n\r\n");
        return [.. Encoding.ASCII.GetBytes(rewritten.ToString()), .. body];
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
    }

    /// <summary>Passes everything through, except that a chunk holding one whole Kestrel error head is swapped for its problem response.</summary>
    private sealed class RewritingWriter(PipeWriter inner) : PipeWriter
    {
        private Memory<byte> _last;

        public override Memory<byte> GetMemory(int sizeHint = 0) => _last = inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => (_last = inner.GetMemory(sizeHint)).Span;

        public override void Advance(int bytes)
        {
            var replacement = bytes > 0 && bytes <= _last.Length ? Rewrite(_last.Span[..bytes]) : null;
            if (replacement is null)
            {
                inner.Advance(bytes);
                return;
            }
            replacement.CopyTo(inner.GetSpan(replacement.Length));
            inner.Advance(replacement.Length);
        }

        public override ValueTask<FlushResult> FlushAsync(CancellationToken ct = default) => inner.FlushAsync(ct);
        public override void CancelPendingFlush() => inner.CancelPendingFlush();
        public override void Complete(Exception? exception = null) => inner.Complete(exception);
        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;
        public override long UnflushedBytes => inner.UnflushedBytes;
    }
}
