using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Runner.Api.Health;

/// <summary>/health/ready answers with each check's status and detail, so a failing probe says why.</summary>
public static class HealthJson
{
    public static Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        return http.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString().ToLowerInvariant(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString().ToLowerInvariant(), detail = e.Value.Description }),
        }));
    }
}
