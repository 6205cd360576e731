using Microsoft.Extensions.Diagnostics.HealthChecks;
using Runner.Api.Storage;

namespace Runner.Api.Health;

public sealed class DatabaseHealthCheck(ISubmissionStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await store.PingAsync(ct);
            return HealthCheckResult.Healthy($"{store.Kind} store reachable");
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy($"{store.Kind} store unreachable: {e.Message}");
        }
    }
}
