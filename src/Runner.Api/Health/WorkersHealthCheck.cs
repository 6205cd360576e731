using Microsoft.Extensions.Diagnostics.HealthChecks;
using Runner.Api.Languages;

namespace Runner.Api.Health;

/// <summary>
/// The API role's view of the workers, for /health/ready. No live worker is "degraded", not
/// "unhealthy": the API still serves results and answers new submissions with a 400 that says
/// why, which a load balancer taking it out of rotation would only hide.
/// </summary>
public sealed class WorkersHealthCheck(LiveLanguages languages) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
        Task.FromResult(languages.Available is { Count: > 0 } live
            ? HealthCheckResult.Healthy($"live workers can judge {string.Join(", ", live.Select(l => l.Id))}")
            : HealthCheckResult.Degraded("no live worker has recorded its languages; submissions are refused until one does"));
}
