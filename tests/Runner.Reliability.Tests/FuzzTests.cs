using Runner.Api.Tests.Infrastructure;
using Runner.Reliability.Tests.Fuzz;
using Runner.Reliability.Tests.Infrastructure;

namespace Runner.Reliability.Tests;

/// <summary>
/// The reliability review's reproductions and a few thousand generated requests (the same in
/// both modes) against a real Kestrel: no 5xx, every 4xx a problem+json, no hang, no crash.
/// </summary>
public sealed class InMemoryFuzzTests
{
    [Fact]
    public async Task Fuzzed_requests_to_the_in_memory_service_get_no_5xx_and_only_problem_json_errors()
    {
        using var api = await ServiceProcess.StartApiAsync(null, FuzzSettings.Host);
        await FuzzDrive.RunAsync(api, seed: 1);
    }
}

public sealed class PostgresFuzzTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task Fuzzed_requests_to_the_postgresql_service_get_no_5xx_and_only_problem_json_errors()
    {
        using var api = await ServiceProcess.StartApiAsync(await postgres.CreateDatabaseAsync(), FuzzSettings.Host);
        await FuzzDrive.RunAsync(api, seed: 1);
    }
}

internal static class FuzzSettings
{
    /// <summary>One judge worker and a short wait, so accepted submissions cost little while the requests keep coming.</summary>
    public static readonly Dictionary<string, string> Host = new()
    {
        ["Runner:Queue:Workers"] = "1",
        ["Runner:WaitTimeoutSeconds"] = "1",
        ["Logging:LogLevel:Default"] = "Warning",
    };
}
