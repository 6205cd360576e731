using System.Text.Json;
using Runner.Api.Tests.Infrastructure;

namespace Runner.Api.Tests;

/// <summary>
/// One result, one contract: the same run through <c>runner run --json</c> and POST /api/v1/runs,
/// and the same submission through <c>runner judge --json</c> and POST /api/v1/submissions, report
/// the same fields in the same order with the same deterministic values.
/// </summary>
[Collection("Service")]
public sealed class CliParityTests(PostgresServer postgres) : IClassFixture<PostgresServer>, IAsyncLifetime
{
    private RunnerHost _host = null!;
    private readonly string _dir = Directory.CreateTempSubdirectory("runner-parity-").FullName;

    public async Task InitializeAsync() => _host = TestHosts.Api(await postgres.CreateDatabaseAsync());

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private static List<string> Keys(JsonElement e) => e.EnumerateObject().Select(p => p.Name).ToList();

    private static void SameValues(JsonElement cli, JsonElement api, params string[] fields)
    {
        foreach (var f in fields)
            Assert.True(JsonElement.DeepEquals(cli.GetProperty(f), api.GetProperty(f)), $"{f}: runner says {cli.GetProperty(f)}, the API says {api.GetProperty(f)}");
    }

    [Fact]
    public async Task A_run_reports_the_same_fields_in_the_same_order_through_runner_run_and_the_API_plus_files()
    {
        string[] argv = ["/bin/sh", "-c", "echo out; echo err >&2; exit 3"];
        var (exit, stdout, stderr) = await RunnerCli.RunAsync(["run", "--json", "--", .. argv]);
        Assert.True(exit == 1, $"runner exited {exit}: {stderr}");
        var cli = JsonDocument.Parse(stdout).RootElement;
        var api = await (await _host.Client().PostJson("/api/v1/runs?wait=true", new { command = argv })).Expect(200);

        Assert.Equal([.. Keys(cli), "files"], Keys(api));
        SameValues(cli, api, "status", "exit_code", "signal", "oom_killed", "stdout", "stderr", "stdout_truncated", "stderr_truncated", "message");
        Assert.Equal("runtime_error", api.GetProperty("status").GetString());
        foreach (var time in new[] { "cpu_time", "user_time", "system_time", "wall_time" })
            Assert.Equal(cli.GetProperty(time).ValueKind, api.GetProperty(time).ValueKind);
    }

    [Fact]
    public async Task A_submission_reports_the_same_test_and_compile_fields_through_runner_judge_and_the_API()
    {
        const string source = "n = int(input())\nprint(n * 2 if n < 5 else n)\n";
        File.WriteAllText(Path.Combine(_dir, "sol.py"), source);
        var tests = Directory.CreateDirectory(Path.Combine(_dir, "tests")).FullName;
        File.WriteAllText(Path.Combine(tests, "a.in"), "2\n");
        File.WriteAllText(Path.Combine(tests, "a.out"), "4\n");
        File.WriteAllText(Path.Combine(tests, "b.in"), "7\n");
        File.WriteAllText(Path.Combine(tests, "b.out"), "14\n");
        File.WriteAllText(Path.Combine(tests, "c.in"), "9\n");

        var (exit, stdout, stderr) = await RunnerCli.RunAsync("judge", "--language", TestHosts.Python, "--source", Path.Combine(_dir, "sol.py"),
            "--tests", tests, "--json");
        Assert.True(exit == 1, $"runner exited {exit}: {stderr}");
        var cli = JsonDocument.Parse(stdout).RootElement;
        var api = await (await _host.Client().PostJson("/api/v1/submissions?wait=true", new
        {
            language = TestHosts.Python,
            source,
            tests = new object[]
            {
                new { name = "a", input = "2\n", expected_output = "4\n" },
                new { name = "b", input = "7\n", expected_output = "14\n" },
                new { name = "c", input = "9\n" },
            },
        })).Expect(200);

        SameValues(cli, api, "verdict", "message");
        Assert.Equal(cli.GetProperty("score").GetProperty("points").GetDouble(), api.GetProperty("score").GetDouble());

        var cliTests = cli.GetProperty("tests").EnumerateArray().ToList();
        var apiTests = api.GetProperty("tests").EnumerateArray().ToList();
        Assert.Equal(["accepted", "wrong_answer", "accepted"], apiTests.Select(t => t.GetProperty("verdict").GetString()));
        Assert.Equal(cliTests.Count, apiTests.Count);
        foreach (var (c, a) in cliTests.Zip(apiTests))
        {
            Assert.Equal(Keys(c), Keys(a));
            SameValues(c, a, "name", "verdict", "score", "exit_code", "signal", "message", "output_excerpt");
        }

        // Python has no compile box (its syntax check is the first run): skipped in runner's report, null in the API's.
        Assert.Equal("skipped", cli.GetProperty("compile").GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, api.GetProperty("compile").ValueKind);

        // A syntax error, found by the first run, is the same compile failure through both.
        const string broken = "print(1)\ndef f(:\n";
        File.WriteAllText(Path.Combine(_dir, "broken.py"), broken);
        (exit, stdout, stderr) = await RunnerCli.RunAsync("judge", "--language", TestHosts.Python, "--source", Path.Combine(_dir, "broken.py"),
            "--tests", tests, "--json");
        Assert.True(exit == 1, $"runner exited {exit}: {stderr}");
        var cliCompile = JsonDocument.Parse(stdout).RootElement.GetProperty("compile");
        var apiCompile = (await (await _host.Client().PostJson("/api/v1/submissions?wait=true", new
        {
            language = TestHosts.Python,
            source = broken,
            tests = new object[] { new { name = "a", input = "2\n", expected_output = "4\n" } },
        })).Expect(200)).GetProperty("compile");
        Assert.Equal([.. Keys(cliCompile), "success"], Keys(apiCompile));
        SameValues(cliCompile, apiCompile, "status", "output", "exit_code", "message");
        Assert.Equal("failed", apiCompile.GetProperty("status").GetString());
    }
}
