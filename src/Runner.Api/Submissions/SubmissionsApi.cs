using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Runner.Api.Contracts;
using Runner.Api.Errors;
using Runner.Api.Hosting;
using Runner.Api.Http;
using Runner.Api.Queue;
using Runner.Api.Storage;
using Runner.Api.StoredProblems;

namespace Runner.Api.Submissions;

public static class SubmissionsApi
{
    public static RouteGroupBuilder MapSubmissionsApi(this RouteGroupBuilder api, LimitOptions limits)
    {
        var group = api.MapGroup("/submissions").WithTags("Submissions");
        var bodyCap = new BodySizeLimit(BodySizeLimit.Submission(limits));
        group.MapPost("/", Create).WithName("CreateSubmission").AllowQuery("wait").WithMetadata(bodyCap)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("/{id:guid}", Get).WithName("GetSubmission")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/batch", CreateBatch).WithName("CreateSubmissionBatch").WithMetadata(bodyCap)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("/batch", GetBatch).WithName("GetSubmissionBatch").AllowQuery("ids")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    /// <summary>
    /// Queue a submission. With wait=true, answer with the result once judged (bounded wait; 202 if not done in time).
    /// A repeated Idempotency-Key returns the first submission instead of creating another.
    /// </summary>
    internal static async Task<Results<Ok<SubmissionView>, Accepted<SubmissionAccepted>, ValidationProblem, ProblemHttpResult>> Create(
        SubmissionRequest request,
        bool? wait,
        HttpContext http,
        SubmissionValidator validator,
        ProblemReferences problems,
        SubmissionQueue queue,
        ISubmissionStore store,
        CompletionSignals signals,
        IOptions<RunnerOptions> options,
        TimeProvider clock,
        ILogger<SubmissionQueue> logger,
        CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var input = validator.Validate(request, "", errors);
        if (input is not null) input = await problems.ResolveAsync(input, "", errors, ct);
        var key = IdempotencyKey.Read(http, errors);
        if (input is null || errors.Any) return Problems.Invalid(errors);

        var record = NewRecord(input, clock, key);
        SubmissionRecord stored;
        Task<object?>? finished = null;
        if (key is not null && await store.FindByIdempotencyKeysAsync([key], ct) is [var earlier])
            stored = earlier;
        else
        {
            if (!await queue.HasRoomForAsync(1, ct)) return Problems.QueueFull(http, options.Value.Queue.RetryAfterSeconds);
            // Registered before the insert, so a new submission's wait needs no first read: nothing
            // about it can have been missed.
            if (wait == true) finished = signals.NextAsync(record.Id);
            stored = (await queue.SubmitAsync([record], ct))[0].Stored;
            if (stored.Id != record.Id && finished is not null)
            {
                signals.Forget(record.Id);
                finished = null;
            }
        }
        if (stored.Id != record.Id && !IdempotencyKey.SameRequest(stored, record)) return IdempotencyKey.Reused(key!);

        if (wait == true && stored.Status != SubmissionStatus.Finished)
            stored = await WaitForFinishAsync(stored, signals, store, TimeSpan.FromSeconds(options.Value.WaitTimeoutSeconds), logger, ct, finished);
        if (wait == true && stored.Status == SubmissionStatus.Finished) return TypedResults.Ok(stored.ToView());
        return TypedResults.Accepted(Location(stored.Id), new SubmissionAccepted(stored.Id, stored.Status));
    }

    /// <summary>One submission: its status, its per-test results so far while running, and its verdict once finished; 404 for an unknown id.</summary>
    internal static async Task<Results<Ok<SubmissionView>, ProblemHttpResult>> Get(Guid id, ISubmissionStore store, CancellationToken ct) =>
        await store.GetAsync(id, ct) is { } s
            ? TypedResults.Ok(await Events.LiveResults.ViewAsync(s, store, ct))
            : Problems.NotFound($"no submission with id {id}");

    /// <summary>Queue several submissions at once (at most Runner:Limits:MaxBatch); all or none are accepted.</summary>
    internal static async Task<Results<Accepted<BatchAccepted>, ValidationProblem, ProblemHttpResult>> CreateBatch(
        BatchRequest request,
        HttpContext http,
        SubmissionValidator validator,
        ProblemReferences problems,
        SubmissionQueue queue,
        ISubmissionStore store,
        IOptions<RunnerOptions> options,
        TimeProvider clock,
        CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var key = IdempotencyKey.Read(http, errors);
        var items = request.Submissions;
        if (items is null || items.Count == 0)
            errors.Add("submissions", "must contain at least one submission");
        else if (items.Count > options.Value.Limits.MaxBatch)
            errors.Add("submissions", $"has {items.Count} submissions; the server maximum is {options.Value.Limits.MaxBatch}");
        if (errors.Any) return Problems.Invalid(errors);

        var inputs = items!.Select((s, i) => validator.Validate(s, $"submissions[{i}]", errors)).ToList();
        if (errors.Any) return Problems.Invalid(errors);
        for (var i = 0; i < inputs.Count; i++) inputs[i] = await problems.ResolveAsync(inputs[i]!, $"submissions[{i}]", errors, ct);
        if (errors.Any) return Problems.Invalid(errors);

        // Item N of a keyed batch holds "KEY/N", so a repeated batch finds each of its items.
        var records = inputs.Select((input, i) => NewRecord(input!, clock, key is null ? null : $"{key}/{i}")).ToList();
        IReadOnlyList<SubmissionRecord> stored;
        if (key is not null && await store.FindByIdempotencyKeysAsync(records.Select(r => r.IdempotencyKey!).ToList(), ct) is { } earlier && earlier.Count == records.Count)
            stored = earlier;
        else
        {
            if (!await queue.HasRoomForAsync(inputs.Count, ct)) return Problems.QueueFull(http, options.Value.Queue.RetryAfterSeconds);
            stored = (await queue.SubmitAsync(records, ct)).Select(o => o.Stored).ToList();
        }
        if (records.Zip(stored).Any(p => p.First.Id != p.Second.Id && !IdempotencyKey.SameRequest(p.Second, p.First))) return IdempotencyKey.Reused(key!);

        return TypedResults.Accepted("/api/v1/submissions/batch?ids=" + string.Join(',', stored.Select(r => r.Id)),
            new BatchAccepted(stored.Select(r => new SubmissionAccepted(r.Id, r.Status)).ToList()));
    }

    /// <summary>Several submissions at once: ids is a comma-separated list; 404 if any is unknown.</summary>
    internal static async Task<Results<Ok<BatchView>, ValidationProblem, ProblemHttpResult>> GetBatch(string? ids, ISubmissionStore store, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var parsed = new List<Guid>();
        foreach (var part in (ids ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Guid.TryParse(part, out var g)) parsed.Add(g);
            else errors.Add("ids", $"'{part}' is not a submission id");
        }
        if (parsed.Count == 0 && !errors.Any) errors.Add("ids", "give at least one id");
        if (parsed.Count > 1000) errors.Add("ids", "at most 1000 ids per request");
        if (errors.Any) return Problems.Invalid(errors);

        var found = await store.GetManyAsync(parsed, ct);
        var missing = parsed.Except(found.Select(f => f.Id)).ToList();
        if (missing.Count > 0) return Problems.NotFound($"no submission with id {string.Join(", ", missing)}");
        return TypedResults.Ok(new BatchView(found.Select(f => f.ToView()).ToList()));
    }

    private static SubmissionRecord NewRecord(JudgeInput input, TimeProvider clock, string? idempotencyKey) => new()
    {
        Id = Guid.CreateVersion7(),
        Status = SubmissionStatus.Queued,
        Input = input,
        CreatedAt = clock.GetUtcNow(),
        IdempotencyKey = idempotencyKey,
    };

    private static string Location(Guid id) => $"/api/v1/submissions/{id}";

    /// <summary>
    /// Holds a ?wait=true request until the submission finishes or the wait times out, and
    /// returns what is known then. Waiting costs no database connection: the store is read
    /// only when <see cref="CompletionSignals"/> says the submission may have finished. A store
    /// error ends the wait with what was last seen, because the submission is already accepted:
    /// a 500 here would make the client submit it again. <paramref name="registered"/>: a wake-up
    /// registered before the submission was stored, so the first read can be skipped; a result
    /// stored in this process comes with the wake-up, so the last read is skipped too.
    /// </summary>
    internal static async Task<SubmissionRecord> WaitForFinishAsync(
        SubmissionRecord last, CompletionSignals signals, ISubmissionStore store, TimeSpan timeout, ILogger logger, CancellationToken ct,
        Task<object?>? registered = null)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            var next = registered;
            while (true)
            {
                if (next is null)
                {
                    // Registered before the read, so a result stored in between still wakes us.
                    next = signals.NextAsync(last.Id);
                    if (await store.GetAsync(last.Id, ct) is { } current) last = current;
                    if (last.Status == SubmissionStatus.Finished) return last;
                }
                if (await next.WaitAsync(deadline.Token) is SubmissionRecord { Status: SubmissionStatus.Finished } done && done.Id == last.Id) return done;
                next = null;
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            signals.Forget(last.Id);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning("Waiting for submission {Id} ended early: the store failed ({Error}); answering 202", last.Id, e.Message);
            return last;
        }
        // Timed out: answer with the status it has now (it may have started meanwhile).
        try
        {
            return await store.GetAsync(last.Id, ct) ?? last;
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning("Submission {Id}: reading its status after the wait failed ({Error}); answering 202", last.Id, e.Message);
            return last;
        }
    }
}
