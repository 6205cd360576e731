using Microsoft.Extensions.Options;
using Runner.Api.Errors;
using Runner.Api.Hosting;

namespace Runner.Api.Runs;

/// <summary>
/// Bounds the /runs a process holds at once (waiting for a box or running), like
/// Runner:Queue:MaxPending for submissions. The ticket is taken before the request body is read
/// (a middleware ahead of the endpoint), so a request over the bound is answered 503 with
/// Retry-After without its files ever being buffered.
/// </summary>
public sealed class RunAdmission(IOptions<RunnerOptions> options)
{
    private int _held;

    /// <summary>Endpoint metadata: this endpoint needs a ticket.</summary>
    public sealed record Required;

    public int Bound => options.Value.Queue.MaxPendingRuns > 0 ? options.Value.Queue.MaxPendingRuns : 2 * Math.Max(1, WorkerCount.Resolve(options.Value));

    public int RetryAfterSeconds => Math.Max(1, options.Value.Queue.RetryAfterSeconds);

    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _held) <= Bound) return true;
        Interlocked.Decrement(ref _held);
        return false;
    }

    public void Exit() => Interlocked.Decrement(ref _held);

    /// <summary>The middleware; after routing (so the endpoint is known), before the endpoint binds the body.</summary>
    public static void Use(WebApplication app)
    {
        var admission = app.Services.GetRequiredService<RunAdmission>();
        app.Use(async (http, next) =>
        {
            if (http.GetEndpoint()?.Metadata.GetMetadata<Required>() is null)
            {
                await next(http);
                return;
            }
            if (!admission.TryEnter())
            {
                await Problems.RunsFull(http, admission.RetryAfterSeconds, admission.Bound).ExecuteAsync(http);
                return;
            }
            try
            {
                await next(http);
            }
            finally
            {
                admission.Exit();
            }
        });
    }
}
