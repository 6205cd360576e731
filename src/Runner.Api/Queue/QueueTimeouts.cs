using Runner.Api.Hosting;
using Runner.Api.Runs;

namespace Runner.Api.Queue;

public static class QueueTimeouts
{
    public static TimeSpan Lease(RunnerOptions o) => TimeSpan.FromSeconds(o.Queue.LeaseSeconds);

    /// <summary>
    /// Sliding (Hangfire.PostgreSql keeps a running job's fetch time fresh every fifth of it),
    /// so it bounds how long a dead worker's job stays hidden, not how long a job may run.
    /// </summary>
    public static TimeSpan Invisibility(RunnerOptions o) => TimeSpan.FromSeconds(Math.Max(5, o.Queue.InvisibilityTimeoutSeconds));

    /// <summary>
    /// Hangfire's pool: each idle judge or callback worker holds a LISTEN connection while it
    /// waits for a job, and the server's own processes (heartbeats, schedulers, keep-alives,
    /// state changes) need a few more. An api-only process only enqueues.
    /// </summary>
    public static int QueuePoolSize(RunnerOptions o, RunnerRoles roles) =>
        o.Database.QueuePoolSize > 0 ? o.Database.QueuePoolSize
        : roles.Worker ? WorkerCount.Resolve(o) + CallbackWorkers + 10
        : 5;

    public const int CallbackWorkers = 2;
}
