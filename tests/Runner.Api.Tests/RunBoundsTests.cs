using Runner.Api.Tests.Infrastructure;

namespace Runner.Api.Tests;

/// <summary>
/// What one /runs request can make the service hold: copy_out in count and total bytes, the
/// number of files, and the number of runs held at once (red-team cases 41, 43 and 45).
/// </summary>
[Collection("Service")]
public sealed class RunBoundsTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task One_file_named_forty_times_in_copy_out_comes_back_once()
    {
        await using var host = TestHosts.Api(await postgres.CreateDatabaseAsync());
        var names = Enumerable.Range(0, 40).Select(i => i % 2 == 0 ? "big" : "/box/big").ToArray();
        var r = await host.Client().PostJson("/api/v1/runs?wait=true", new
        {
            command = new[] { "sh", "-c", "head -c 1048576 /dev/zero > big" },
            copy_out = names,
        });
        var files = (await r.Expect(200)).GetProperty("files").EnumerateArray().ToList();
        Assert.Single(files);
        Assert.Equal(1L << 20, files[0].GetProperty("size").GetInt64());
    }

    [Fact]
    public async Task Copy_out_past_the_total_cap_comes_back_as_errors_not_as_bytes()
    {
        await using var host = TestHosts.Api(await postgres.CreateDatabaseAsync(), new Dictionary<string, string?>
        {
            ["Runner:Limits:MaxCopyOutBytes"] = "1048576",
            ["Runner:Limits:MaxCopyOutTotalBytes"] = "2621440", // 2.5 files
        });
        var r = await host.Client().PostJson("/api/v1/runs?wait=true", new
        {
            command = new[] { "sh", "-c", "for f in a b c d; do head -c 1048576 /dev/zero > $f; done" },
            copy_out = new[] { "a", "b", "c", "d" },
        });
        var files = (await r.Expect(200)).GetProperty("files").EnumerateArray().ToList();
        Assert.All(files.Take(2), f => Assert.Equal(1L << 20, Convert.FromBase64String(f.GetProperty("base64").GetString()!).Length));
        Assert.All(files.Skip(2), f => Assert.Contains("copy-out total", f.GetProperty("error").GetString()));
    }

    [Fact]
    public async Task More_copy_out_entries_or_files_than_the_server_allows_are_a_400_naming_the_field()
    {
        await using var host = TestHosts.Api(await postgres.CreateDatabaseAsync(), new Dictionary<string, string?>
        {
            ["Runner:Limits:MaxCopyOutFiles"] = "3",
            ["Runner:Limits:MaxRunFiles"] = "5",
        });
        var tooManyOut = await host.Client().PostJson("/api/v1/runs?wait=true", new { command = new[] { "true" }, copy_out = new[] { "a", "b", "c", "d" } });
        Assert.Contains("copy_out", (await tooManyOut.Expect(400)).GetProperty("errors").EnumerateObject().Select(p => p.Name));
        var files = Enumerable.Range(0, 6).ToDictionary(i => $"f{i}", _ => (object)new { content = "" });
        var tooManyFiles = await host.Client().PostJson("/api/v1/runs?wait=true", new { command = new[] { "true" }, files });
        Assert.Contains("files", (await tooManyFiles.Expect(400)).GetProperty("errors").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Runs_over_the_pending_bound_are_a_503_with_Retry_After_before_their_body_is_read()
    {
        await using var host = TestHosts.Api(await postgres.CreateDatabaseAsync(), new Dictionary<string, string?>
        {
            ["Runner:Queue:MaxPendingRuns"] = "1",
            ["Runner:Queue:RetryAfterSeconds"] = "7",
        });
        var slow = host.Client().PostJson("/api/v1/runs?wait=true", new { command = new[] { "sleep", "3" } });
        await Task.Delay(1000);
        var refused = await host.Client().PostJson("/api/v1/runs?wait=true", new { command = new[] { "true" } });
        Assert.Equal(503, (int)refused.StatusCode);
        Assert.Equal("7", refused.Headers.RetryAfter?.ToString());
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        await (await slow).Expect(200);
        var after = await host.Client().PostJson("/api/v1/runs?wait=true", new { command = new[] { "true" } });
        await after.Expect(200);
    }
}
