using System.Buffers.Text;
using Hangfire;
using Microsoft.AspNetCore.Http.HttpResults;
using Runner.Api.Callbacks;
using Runner.Api.Contracts;
using Runner.Api.Errors;
using Runner.Api.Events;
using Runner.Api.Http;
using Runner.Api.Judging;
using Runner.Api.Queue;
using Runner.Api.Storage;
using Runner.Api.Submissions;
using Runner.Judge;

namespace Runner.Api.Management;

/// <summary>GET /api/v1/submissions (filtered, cursor-paged) and DELETE /api/v1/submissions/{id} (cancel or remove).</summary>
public static class SubmissionManagementApi
{
    public const int DefaultLimit = 20, MaxLimit = 100;

    public static RouteGroupBuilder MapSubmissionManagementApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/submissions").WithTags("Submissions");
        group.MapGet("/", List).WithName("ListSubmissions").AllowQuery("status", "language", "problem", "limit", "cursor");
        group.MapDelete("/{id:guid}", Delete).WithName("DeleteSubmission")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    /// <summary>
    /// Submissions, newest first, filtered by status, language and problem. At most limit (default 20, at most 100) per page;
    /// pass next_cursor as cursor for the next page.
    /// </summary>
    internal static async Task<Results<Ok<SubmissionList>, ValidationProblem>> List(
        string? status, string? language, string? problem, int? limit, string? cursor, ISubmissionStore store, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        SubmissionStatus? wanted = status switch
        {
            null => null,
            "queued" => SubmissionStatus.Queued,
            "running" => SubmissionStatus.Running,
            "finished" => SubmissionStatus.Finished,
            _ => Invalid(errors, "status", $"must be queued, running or finished, got '{status}'"),
        };
        var size = limit ?? DefaultLimit;
        if (size is < 1 or > MaxLimit) errors.Add("limit", $"must be between 1 and {MaxLimit}, got {size}");
        Guid? before = null;
        if (cursor is not null)
        {
            if (Cursor.Decode(cursor) is { } id) before = id;
            else errors.Add("cursor", "is not a cursor this server gave out (pass next_cursor from the previous page unchanged)");
        }
        if (errors.Any) return Problems.Invalid(errors);

        // One more than asked says whether there is a next page without a second query.
        var page = await store.ListAsync(new SubmissionFilter(wanted, language, problem, before), size + 1, ct);
        var next = page.Count > size ? Cursor.Encode(page[size - 1].Id) : null;
        return TypedResults.Ok(new SubmissionList(page.Take(size).ToList(), next));
    }

    /// <summary>
    /// A queued or running submission is cancelled: it is finished at once with verdict cancelled (the tests finished so far
    /// kept), and the worker judging it kills its box. A finished one is removed (204); afterwards GET answers 404.
    /// </summary>
    internal static async Task<Results<Ok<SubmissionView>, NoContent, ProblemHttpResult>> Delete(
        Guid id,
        ISubmissionStore store,
        RunningJudgements running,
        CompletionSignals completions,
        EventSignals events,
        IBackgroundJobClient jobs,
        CancellationToken ct)
    {
        if (await store.GetAsync(id, ct) is not { } submission) return Problems.NotFound($"no submission with id {id}");
        if (submission.Status == SubmissionStatus.Finished)
        {
            await store.DeleteFinishedAsync(id, ct);
            events.Notify(id);
            return TypedResults.NoContent();
        }

        var partial = await LiveResults.ReadAsync(store, id, ct);
        var result = new SubmissionResult(Verdict.Cancelled, Runner.Sandbox.Json.JsonRounding.Round(partial.Tests.Sum(t => t.Score)),
            partial.Compile, partial.Tests, "cancelled by a DELETE request before it finished");
        if (await store.CancelAsync(id, result, ct))
        {
            // A worker in this process stops now; one elsewhere hears the store's NOTIFY.
            running.Cancel(id);
            completions.Notify(id);
            events.Notify(id);
            if (submission.Input.CallbackUrl is not null)
                jobs.Enqueue<CallbackJob>(j => j.SendAsync(id, CancellationToken.None));
        }
        // Cancelled now, or it finished just before the cancel: either way this is how it ended.
        return await store.GetAsync(id, ct) is { } now
            ? TypedResults.Ok(now.ToView())
            : Problems.NotFound($"no submission with id {id}");
    }

    private static SubmissionStatus? Invalid(ValidationErrors errors, string field, string message)
    {
        errors.Add(field, message);
        return null;
    }

    /// <summary>The opaque cursor: the last id of a page, base64url. Ids are time-ordered (UUID v7), so "below it" is "older".</summary>
    private static class Cursor
    {
        public static string Encode(Guid id) => Base64Url.EncodeToString(id.ToByteArray(bigEndian: true));

        public static Guid? Decode(string text)
        {
            Span<byte> bytes = stackalloc byte[16];
            return text.Length == 22 && Base64Url.TryDecodeFromChars(text, bytes, out var n) && n == 16 ? new Guid(bytes, bigEndian: true) : null;
        }
    }
}
