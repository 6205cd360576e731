using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Runner.Api.Tests.Infrastructure;

/// <summary>One server-sent event as a client (EventSource) sees it.</summary>
public sealed record SseEvent(long Id, string Type, JsonElement Data);

/// <summary>A minimal text/event-stream client, reading the stream as a browser's EventSource would.</summary>
public static class EventStream
{
    public static async IAsyncEnumerable<SseEvent> ReadAsync(HttpClient client, string url, long? lastEventId = null,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is { } last) request.Headers.Add("Last-Event-ID", last.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
        long id = 0;
        string? type = null, data = null;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0)
            {
                if (data is not null) yield return new SseEvent(id, type ?? "message", JsonDocument.Parse(data).RootElement.Clone());
                type = data = null;
            }
            else if (line.StartsWith("id: ", StringComparison.Ordinal)) id = long.Parse(line[4..], System.Globalization.CultureInfo.InvariantCulture);
            else if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data = data is null ? line[6..] : data + "\n" + line[6..];
        }
    }
}
