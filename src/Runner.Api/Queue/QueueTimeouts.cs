using Runner.Api.Hosting;

namespace Runner.Api.Queue;

public static class QueueTimeouts
{
    public static TimeSpan Lease(RunnerOptions o) => TimeSpan.FromSeconds(o.Queue.LeaseSeconds);

    /// <summary>
    /// Hangfire hands a fetched job to another worker when it is not finished within this time,
    /// so by default it is the longest job the server's limits allow: a slow but live job is not
    /// redelivered. Redelivery of a live job is harmless anyway (the lease makes it back off).
    /// </summary>
    public static TimeSpan Invisibility(RunnerOptions o) =>
        o.Queue.InvisibilityTimeoutSeconds is { } s ? TimeSpan.FromSeconds(s) : o.Limits.LongestJob;
}
