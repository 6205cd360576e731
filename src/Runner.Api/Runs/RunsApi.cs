using Hangfire;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Runner.Api.Contracts;
using Runner.Api.Errors;
using Runner.Api.Hosting;
using Runner.Api.Http;
using Runner.Api.Queue;
using Runner.Api.Submissions;

namespace Runner.Api.Runs;

public static class RunsApi
{
    public static RouteGroupBuilder MapRunsApi(this RouteGroupBuilder api, LimitOptions limits)
    {
        api.MapPost("/runs", Run).WithTags("Runs").WithName("CreateRun").AllowQuery("wait")
            .WithMetadata(new BodySizeLimit(BodySizeLimit.Run(limits)), new RunAdmission.Required())
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        api.MapGet("/runs/{id:guid}", Get).WithTags("Runs").WithName("GetRun")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    /// <summary>
    /// Queue a run (one command, or steps in one /box) for a worker. With wait=true, answer with its result once done
    /// (bounded wait; 202 if not done in time).
    /// </summary>
    internal static async Task<Results<Ok<RunResponse>, Accepted<RunAccepted>, ValidationProblem, ProblemHttpResult>> Run(
        RunRequest request,
        bool? wait,
        HttpContext http,
        RunExecutor runs,
        IRunStore store,
        IBackgroundJobClient jobs,
        RunCompletionSignals signals,
        IOptions<RunnerOptions> options,
        TimeProvider clock,
        ILogger<RunExecutor> logger,
        CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var input = runs.Validate(request, errors);
        if (input is null) return Problems.Invalid(errors);
        if (await store.CountPendingAsync(ct) >= options.Value.Queue.MaxPending) return Problems.QueueFull(http, options.Value.Queue.RetryAfterSeconds);

        var run = new RunRecord { Id = Guid.CreateVersion7(), Status = SubmissionStatus.Queued, Input = input, CreatedAt = clock.GetUtcNow() };
        await store.InsertAsync(run, ct);
        try
        {
            // Not the request's token: a client hanging up after the insert must not leave its
            // run waiting for the sweep.
            await EnqueueAsync(run.Id, jobs, store, CancellationToken.None);
        }
        catch (Exception e)
        {
            // Stored means accepted, as for a submission: the recovery sweep enqueues it.
            logger.LogWarning("Run {Id} is stored but its enqueue failed ({Error}); the recovery sweep enqueues it", run.Id, e.Message);
        }

        if (wait == true)
        {
            var done = await WaitForFinishAsync(run, signals, store, TimeSpan.FromSeconds(options.Value.WaitTimeoutSeconds), ct);
            if (done.Outcome?.Error is { } error)
            {
                errors.Add(error.Field, error.Message);
                return Problems.Invalid(errors);
            }
            if (done.Outcome?.Response is { } response) return TypedResults.Ok(response);
            run = done;
        }
        return TypedResults.Accepted(Location(run.Id), new RunAccepted(run.Id, run.Status));
    }

    /// <summary>One run: queued, running, or finished with its result (or the request error only the box could find); 404 for an unknown id.</summary>
    internal static async Task<Results<Ok<RunView>, ProblemHttpResult>> Get(Guid id, IRunStore store, CancellationToken ct) =>
        await store.GetAsync(id, ct) is { } run
            ? TypedResults.Ok(run.ToView())
            : Problems.NotFound($"no run with id {id}");

    private static string Location(Guid id) => $"/api/v1/runs/{id}";

    /// <summary>Enqueues the run's job and records it, so the recovery sweep leaves it alone.</summary>
    internal static async Task EnqueueAsync(Guid id, IBackgroundJobClient jobs, IRunStore store, CancellationToken ct)
    {
        var jobId = jobs.Enqueue<ExecuteRunJob>(j => j.RunAsync(id, CancellationToken.None));
        await store.MarkEnqueuedAsync(id, jobId, ct);
    }

    /// <summary>Like a submission's wait: no database connection held, woken by the store's NOTIFY (or in-process signal).</summary>
    private static async Task<RunRecord> WaitForFinishAsync(RunRecord last, RunCompletionSignals signals, IRunStore store, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var next = signals.NextAsync(last.Id);
                if (await store.GetAsync(last.Id, ct) is { } current) last = current;
                if (last.Status == SubmissionStatus.Finished) return last;
                await next.WaitAsync(deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            signals.Forget(last.Id);
            return await store.GetAsync(last.Id, ct) ?? last;
        }
    }
}
