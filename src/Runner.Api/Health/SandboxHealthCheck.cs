using Microsoft.Extensions.Diagnostics.HealthChecks;
using Runner.Sandbox;

namespace Runner.Api.Health;

/// <summary>
/// `runner check` in process: every prerequisite plus one real box. A box costs milliseconds,
/// but probes can arrive every second from several orchestrators, so a result is reused for a
/// short while.
/// </summary>
public sealed class SandboxHealthCheck(SandboxOptions options, TimeProvider clock) : IHealthCheck
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private (DateTimeOffset At, HealthCheckResult Result)? _last;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (_last is { } l && clock.GetUtcNow() - l.At < CacheFor) return l.Result;
            var report = await Task.Run(() => HostCheck.Run(options), ct);
            var failed = report.Items.Where(i => !i.Ok).Select(i => $"{i.Name}: {i.Detail}").ToList();
            var result = report.CanRun
                ? HealthCheckResult.Healthy(report.Items[^1].Detail)
                : HealthCheckResult.Unhealthy(string.Join("; ", failed));
            _last = (clock.GetUtcNow(), result);
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }
}
