using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Runner.Api.Contracts;
using Runner.Api.Errors;
using Runner.Api.Hosting;
using Runner.Api.Queue;
using Runner.Api.Storage;

namespace Runner.Api.Submissions;

public static class SubmissionsApi
{
    public static RouteGroupBuilder MapSubmissionsApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/submissions").WithTags("Submissions");
        group.MapPost("/", Create).WithName("CreateSubmission")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("/{id:guid}", Get).WithName("GetSubmission")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/batch", CreateBatch).WithName("CreateSubmissionBatch")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapGet("/batch", GetBatch).WithName("GetSubmissionBatch")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    /// <summary>Queue a submission. With wait=true, answer with the result once judged (bounded wait; 202 if not done in time).</summary>
    internal static async Task<Results<Ok<SubmissionView>, Accepted<SubmissionAccepted>, ValidationProblem, ProblemHttpResult>> Create(
        SubmissionRequest request,
        bool? wait,
        HttpContext http,
        SubmissionValidator validator,
        SubmissionQueue queue,
        ISubmissionStore store,
        CompletionSignals signals,
        IOptions<RunnerOptions> options,
        TimeProvider clock,
        CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var input = validator.Validate(request, "", errors);
        if (input is null) return Problems.Invalid(errors);
        if (!await queue.HasRoomForAsync(1, ct)) return Problems.QueueFull(http, options.Value.Queue.RetryAfterSeconds);

        var record = NewRecord(input, clock);
        var finished = wait == true ? signals.WaitAsync(record.Id) : null;
        try
        {
            await queue.SubmitAsync([record], ct);
            if (finished is not null)
            {
                var done = await WaitForResultAsync(record.Id, finished, store, TimeSpan.FromSeconds(options.Value.WaitTimeoutSeconds), ct);
                if (done is not null) return TypedResults.Ok(done.ToView());
            }
        }
        finally
        {
            if (finished is not null) signals.Forget(record.Id);
        }
        return TypedResults.Accepted(Location(record.Id), new SubmissionAccepted(record.Id, SubmissionStatus.Queued));
    }

    /// <summary>One submission: its status, and its verdict and per-test results once finished; 404 for an unknown id.</summary>
    internal static async Task<Results<Ok<SubmissionView>, ProblemHttpResult>> Get(Guid id, ISubmissionStore store, CancellationToken ct) =>
        await store.GetAsync(id, ct) is { } s
            ? TypedResults.Ok(s.ToView())
            : Problems.NotFound($"no submission with id {id}");

    /// <summary>Queue several submissions at once (at most Runner:Limits:MaxBatch); all or none are accepted.</summary>
    internal static async Task<Results<Accepted<BatchAccepted>, ValidationProblem, ProblemHttpResult>> CreateBatch(
        BatchRequest request,
        HttpContext http,
        SubmissionValidator validator,
        SubmissionQueue queue,
        IOptions<RunnerOptions> options,
        TimeProvider clock,
        CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var items = request.Submissions;
        if (items is null || items.Count == 0)
            errors.Add("submissions", "must contain at least one submission");
        else if (items.Count > options.Value.Limits.MaxBatch)
            errors.Add("submissions", $"has {items.Count} submissions; the server maximum is {options.Value.Limits.MaxBatch}");
        if (errors.Any) return Problems.Invalid(errors);

        var inputs = items!.Select((s, i) => validator.Validate(s, $"submissions[{i}]", errors)).ToList();
        if (errors.Any) return Problems.Invalid(errors);
        if (!await queue.HasRoomForAsync(inputs.Count, ct)) return Problems.QueueFull(http, options.Value.Queue.RetryAfterSeconds);

        var records = inputs.Select(i => NewRecord(i!, clock)).ToList();
        await queue.SubmitAsync(records, ct);
        return TypedResults.Accepted("/api/v1/submissions/batch?ids=" + string.Join(',', records.Select(r => r.Id)),
            new BatchAccepted(records.Select(r => new SubmissionAccepted(r.Id, SubmissionStatus.Queued)).ToList()));
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

    private static SubmissionRecord NewRecord(JudgeInput input, TimeProvider clock) => new()
    {
        Id = Guid.CreateVersion7(),
        Status = SubmissionStatus.Queued,
        Input = input,
        CreatedAt = clock.GetUtcNow(),
    };

    private static string Location(Guid id) => $"/api/v1/submissions/{id}";

    /// <summary>
    /// Woken at once by a result stored in this process; results stored by a worker elsewhere
    /// are found by polling the store.
    /// </summary>
    private static async Task<SubmissionRecord?> WaitForResultAsync(Guid id, Task finishedHere, ISubmissionStore store, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        var poll = TimeSpan.FromMilliseconds(20);
        try
        {
            while (true)
            {
                if (await store.GetAsync(id, ct) is { Status: SubmissionStatus.Finished } done) return done;
                await Task.WhenAny(finishedHere, Task.Delay(poll, deadline.Token));
                deadline.Token.ThrowIfCancellationRequested();
                if (poll < TimeSpan.FromMilliseconds(250)) poll *= 1.5;
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
    }
}
