using System.Runtime;

namespace Runner.Api.Http;

/// <summary>
/// Gives memory back to the system after large request bodies. Parsing a body of tens of MiB
/// grows the managed heap and the shared array pool by several times its size, and neither
/// shrinks by itself while the process is otherwise idle, so a container limit would have to
/// allow for the largest burst forever. A few seconds after the last large body, one
/// aggressive (compacting, decommitting) collection returns it; a second one a minute later
/// also frees the pooled buffers, which the pool only trims once they have lain unused.
/// </summary>
public sealed class LargeBodyMemory(ILogger<LargeBodyMemory> logger) : BackgroundService
{
    public const long LargeBytes = 1L << 20;
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PoolTrim = TimeSpan.FromSeconds(65);

    private long _lastLargeTicks;
    private long _collectedFor;
    private long _trimmedFor;

    public void Saw(long bytes)
    {
        if (bytes >= LargeBytes) Interlocked.Exchange(ref _lastLargeTicks, Environment.TickCount64);
    }

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(2));
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var last = Interlocked.Read(ref _lastLargeTicks);
                if (last == 0) continue;
                var idle = TimeSpan.FromMilliseconds(Environment.TickCount64 - last);
                if (idle >= Quiet && _collectedFor != last)
                {
                    _collectedFor = last;
                    Collect("after a large request body");
                }
                else if (idle >= PoolTrim && _trimmedFor != last)
                {
                    _trimmedFor = last;
                    Collect("to trim pooled buffers of a large request body");
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private void Collect(string why)
    {
        var before = Environment.WorkingSet;
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        logger.LogDebug("Collected {Why}: working set {Before} -> {After} MiB", why, before >> 20, Environment.WorkingSet >> 20);
    }
}

public static class LargeBodyMemoryExtensions
{
    public static IApplicationBuilder UseLargeBodyMemory(this IApplicationBuilder app)
    {
        var memory = app.ApplicationServices.GetRequiredService<LargeBodyMemory>();
        return app.Use(async (http, next) =>
        {
            try
            {
                await next(http);
            }
            finally
            {
                memory.Saw(http.Request.ContentLength ?? (http.Request.Headers.TransferEncoding.Count > 0 ? LargeBodyMemory.LargeBytes : 0));
            }
        });
    }
}
