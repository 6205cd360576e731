using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Runner.Api.Contracts;
using Runner.Api.Errors;
using Runner.Api.Queue;
using Runner.Api.Storage;
using Runner.Api.Submissions;

namespace Runner.Api.Events;

/// <summary>
/// GET /api/v1/submissions/{id}/events: a text/event-stream of queued, compiling, compiled, one
/// test per finished test, and finished (the whole submission), then the stream ends. Every
/// event has an id; a client that reconnects with Last-Event-ID gets the events after it,
/// because they are stored (runner.submission_events) rather than only broadcast. The stream
/// holds no database connection while it waits: <see cref="EventSignals"/> wakes it when the
/// worker (in any process, through NOTIFY) stores events or the result.
/// </summary>
public static class SubmissionEventsApi
{
    public const string ContentType = "text/event-stream";

    /// <summary>A comment line this often keeps proxies from closing a quiet stream, and re-reads the store should a wake-up have been lost.</summary>
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static RouteGroupBuilder MapSubmissionEventsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/submissions/{id:guid}/events", Stream).WithTags("Submissions").WithName("GetSubmissionEvents")
            .Produces<string>(StatusCodes.Status200OK, ContentType)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    /// <summary>
    /// Live events of one submission as server-sent events (queued, compiling, compiled, test per finished test, finished); ends after finished.
    /// Send Last-Event-ID to resume after the event with that id.
    /// </summary>
    internal static async Task<IResult> Stream(
        Guid id,
        [FromHeader(Name = "Last-Event-ID")] string? lastEventId,
        HttpContext http,
        ISubmissionStore store,
        EventSignals signals,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json,
        CancellationToken ct)
    {
        long after = 0;
        if (lastEventId is not null && (!long.TryParse(lastEventId, NumberStyles.None, CultureInfo.InvariantCulture, out after)))
        {
            var errors = new ValidationErrors();
            errors.Add("Last-Event-ID", $"must be the id of an event of this stream (a whole number), got '{lastEventId}'");
            return Problems.Invalid(errors);
        }
        if (await store.GetAsync(id, ct) is null) return Problems.NotFound($"no submission with id {id}");

        http.Response.ContentType = ContentType;
        http.Response.Headers.CacheControl = "no-cache";
        // nginx buffers responses unless told not to; a buffered event stream is no stream.
        http.Response.Headers["X-Accel-Buffering"] = "no";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await http.Response.Body.FlushAsync(ct);
        try
        {
            await new Writer(http.Response.Body, json.Value.SerializerOptions).RunAsync(id, after, store, signals, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away.
        }
        return Results.Empty;
    }

    private sealed class Writer(Stream body, JsonSerializerOptions json)
    {
        public async Task RunAsync(Guid id, long after, ISubmissionStore store, EventSignals signals, CancellationToken ct)
        {
            while (true)
            {
                // Registered before reading, so events stored in between still wake us.
                var wake = signals.NextAsync(id);
                // The row first: when it is finished, every event is already stored.
                if (await store.GetAsync(id, ct) is not { } submission) return;
                if (after < 1)
                {
                    await WriteAsync(1, SubmissionEventType.Queued, JsonSerializer.Serialize(new QueuedEventData(id, submission.Input.Language, submission.CreatedAt), json), ct);
                    after = 1;
                }
                var stored = await store.ReadEventsAsync(id, after, ct);
                foreach (var e in stored)
                {
                    if (e.Type == SubmissionEventType.Finished)
                    {
                        var done = await store.GetAsync(id, ct);
                        if (done is null) return;
                        await WriteAsync(e.Id, e.Type, JsonSerializer.Serialize(done.ToView(), json), ct);
                        return;
                    }
                    await WriteAsync(e.Id, e.Type, e.Data ?? "null", ct);
                    after = e.Id;
                }
                if (submission.Status == SubmissionStatus.Finished)
                {
                    // Finished before events were stored (an older row): its finished event is 2.
                    if (after == 1 && stored.Count == 0) await WriteAsync(2, SubmissionEventType.Finished, JsonSerializer.Serialize(submission.ToView(), json), ct);
                    return;
                }
                if (await Task.WhenAny(wake, Task.Delay(KeepAlive, ct)) != wake)
                {
                    signals.Forget(id);
                    await WriteRawAsync(": keep-alive\n\n", ct);
                }
            }
        }

        private Task WriteAsync(long eventId, string type, string data, CancellationToken ct) =>
            WriteRawAsync($"id: {eventId.ToString(CultureInfo.InvariantCulture)}\nevent: {type}\ndata: {data}\n\n", ct);

        private async Task WriteRawAsync(string text, CancellationToken ct)
        {
            await body.WriteAsync(Encoding.UTF8.GetBytes(text), ct);
            await body.FlushAsync(ct);
        }
    }
}
