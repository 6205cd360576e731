using System.IO.Compression;
using System.Text;
using Runner.Api.Tests.Infrastructure;

namespace Runner.Api.Tests.Problems;

/// <summary>Problems uploaded as zips, stored as versions on PostgreSQL, and judged by reference.</summary>
[Collection("Service")]
public sealed class ProblemStoreTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task A_problem_uploaded_once_is_judged_by_two_workers_that_each_fetch_it_once()
    {
        var db = await postgres.CreateDatabaseAsync();
        await using var api = TestHosts.Api(db, new Dictionary<string, string?> { ["Runner:Roles"] = "api" });
        var client = api.Client();
        var created = await (await client.PutAsync("echo", ProblemZip.Build(ProblemZip.EchoTests(3)))).Expect(201);
        var version = created.GetProperty("version").GetString()!;
        Assert.Equal(64, version.Length);

        var caches = Path.Combine(Path.GetTempPath(), $"runner-problem-caches-{Guid.NewGuid():N}");
        WorkerProcess Worker(string name) => new(db, new Dictionary<string, string>
        {
            ["Runner:Queue:Workers"] = "1",
            ["Runner:Problems:CacheDirectory"] = Path.Combine(caches, name),
        });
        using var first = Worker("first");
        using var second = Worker("second");
        try
        {
            await WaitForStartAsync(first, second);
            await AbsentWorker.WaitUntilListedAsync(client, TimeSpan.FromSeconds(120), TestHosts.Python);
            // Slow enough that neither worker drains the queue alone.
            var ids = new List<string>();
            for (var i = 0; i < 8; i++)
                ids.Add((await (await client.PostJson("/api/v1/submissions", new { language = TestHosts.Python, source = Programs.SlowEchoPython(0.3), problem = "echo" }))
                    .Expect(202)).GetProperty("id").GetString()!);
            foreach (var id in ids)
            {
                var done = await Programs.PollUntilFinishedAsync(client, id, TimeSpan.FromSeconds(180));
                Assert.True(done.GetProperty("verdict").GetString() == "accepted", $"{done}\n{first.Log}\n{second.Log}");
                Assert.Equal(version, done.GetProperty("problem").GetProperty("version").GetString());
                Assert.Equal(3, done.GetProperty("tests").GetArrayLength());
            }
            foreach (var worker in new[] { first, second })
                Assert.True(Fetches(worker) == 1, $"expected one fetch per worker, got {Fetches(worker)}:\n{worker.Log}");
        }
        finally
        {
            if (Directory.Exists(caches)) Directory.Delete(caches, recursive: true);
        }
    }

    private static int Fetches(WorkerProcess worker) =>
        worker.Log.Split('\n').Count(l => l.Contains("Fetched problem package", StringComparison.Ordinal));

    private static async Task WaitForStartAsync(params WorkerProcess[] workers)
    {
        // Generous: a worker starting on a loaded machine probes every toolchain in a box first.
        var deadline = DateTime.UtcNow.AddSeconds(180);
        while (!workers.All(w => w.Log.Contains("Runner started with roles", StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, "the workers did not start:\n" + string.Join("\n----\n", workers.Select(w => w.Log)));
            await Task.Delay(200);
        }
        await Task.Delay(1000);
    }

    [Fact]
    public async Task A_corrupt_oversized_or_unsafe_zip_gets_a_400_naming_the_entry()
    {
        await using var host = TestHosts.Api(await postgres.CreateDatabaseAsync(), new Dictionary<string, string?> { ["Runner:Problems:MaxUnpackedBytes"] = "1048576" });
        var client = host.Client();

        // A flipped byte in a stored (uncompressed) entry fails its CRC.
        var text = Encoding.ASCII.GetBytes("a test input the zip stores as is\n");
        var corrupt = ProblemZip.Build([("tests/1.in", text, 0)], CompressionLevel.NoCompression);
        corrupt[IndexOf(corrupt, text) + 3] ^= 0x20;
        var cases = new (string Why, byte[] Zip, string Entry, string Says)[]
        {
            ("corrupt", corrupt, "tests/1.in", "corrupt"),
            ("a size bomb", ProblemZip.Build([("tests/1.in", new byte[2 << 20], 0)]), "tests/1.in", "server maximum"),
            ("zip slip", ProblemZip.Build(("tests/1.in", "1"), ("../evil.sh", "x")), "../evil.sh", "'..'"),
            ("absolute", ProblemZip.Build(("tests/1.in", "1"), ("/etc/cron.d/x", "x")), "/etc/cron.d/x", "absolute"),
            ("a symlink", ProblemZip.Build([("tests/1.in", "1"u8.ToArray(), 0), ("tests/1.out", "/etc/shadow"u8.ToArray(), 0xA1FF)]), "tests/1.out", "symbolic link"),
            ("a duplicate", ProblemZip.Build(("tests/1.in", "1"), ("tests/1.in", "2")), "tests/1.in", "twice"),
            ("not a zip", "hello"u8.ToArray(), "body", "not a zip"),
            ("an answer without input", ProblemZip.Build(("tests/1.in", "1"), ("tests/2.out", "2")), "tests/2.out", "without its input"),
            ("a limit over the maximum", ProblemZip.Build(ProblemZip.EchoTests(1, """{"limits":{"time":1000}}""")), "problem.json:limits.time", "server maximum"),
            ("a missing checker", ProblemZip.Build(ProblemZip.EchoTests(1, """{"checker":{"type":"custom","language":"python","file":"check.py"}}""")), "problem.json:checker.file", "not in the zip"),
            ("an unknown field", ProblemZip.Build(ProblemZip.EchoTests(1, """{"limit":{}}""")), "problem.json", "limit"),
        };
        foreach (var (why, zip, entry, says) in cases)
        {
            var r = await client.PutAsync("bad", zip);
            var body = await r.Expect(400);
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
            Assert.True(body.GetProperty("errors").TryGetProperty(entry, out var messages), $"{why}: {body}");
            Assert.Contains(says, messages[0].GetString());
        }
        await (await client.GetAsync("/api/v1/problems/bad")).Expect(404);
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (var i = 0; i + needle.Length <= haystack.Length; i++)
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle)) return i;
        throw new InvalidOperationException("not found");
    }

    [Fact]
    public async Task Groups_score_by_min_and_sum_with_a_dependency_and_a_retired_version_takes_no_new_submissions()
    {
        await using var host = TestHosts.Api(await postgres.CreateDatabaseAsync());
        var client = host.Client();
        // Tests 1-6 echo; the answer of test 2 is wrong on purpose, so "all" (min) fails at 2,
        // "half" (sum) earns half, "after-all" is skipped and "after-half"... depends on a failed group too.
        var problem = """
            {"name": "echo", "limits": {"time": 1, "memory": 67108864},
             "groups": [
               {"name": "samples", "points": 0, "tests": ["1"]},
               {"name": "all", "points": 40, "scoring": "min", "tests": ["2", "3"]},
               {"name": "half", "points": 60, "scoring": "sum", "tests": ["4", "5"]},
               {"name": "after-all", "points": 20, "tests": ["6"], "depends_on": ["all"]},
               {"name": "after-samples", "points": 10, "tests": ["7"], "depends_on": ["samples"]}]}
            """;
        var entries = ProblemZip.EchoTests(7, problem).Select(e => e.Item1 == "tests/2.out" || e.Item1 == "tests/5.out" ? (e.Item1, "wrong\n") : e).ToArray();
        var created = await (await client.PutAsync("groups", ProblemZip.Build(entries))).Expect(201);
        var version = created.GetProperty("version").GetString()!;
        Assert.Equal(1, created.GetProperty("limits").GetProperty("time").GetDouble());

        // The same content zipped in another order is the same version.
        var again = await client.PutAsync("groups", ProblemZip.Build(entries.Reverse().ToArray()));
        Assert.Equal(version, (await again.Expect(200)).GetProperty("version").GetString());

        var done = await (await client.PostJson("/api/v1/submissions?wait=true", new { language = TestHosts.Python, source = Programs.EchoPython, problem = "groups" })).Expect(200);
        var groups = done.GetProperty("groups").EnumerateArray().ToDictionary(g => g.GetProperty("name").GetString()!);
        Assert.Equal(("passed", 0.0), Of(groups["samples"]));
        Assert.Equal(("failed", 0.0), Of(groups["all"]));
        Assert.Equal("2", groups["all"].GetProperty("first_failure").GetString());
        Assert.Equal(("failed", 30.0), Of(groups["half"]));
        Assert.Equal("5", groups["half"].GetProperty("first_failure").GetString());
        Assert.Equal(("skipped", 0.0), Of(groups["after-all"]));
        Assert.Equal(("passed", 10.0), Of(groups["after-samples"]));
        Assert.Equal(40, done.GetProperty("score").GetDouble());
        Assert.Equal("wrong_answer", done.GetProperty("verdict").GetString());
        var listed = await (await client.GetAsync("/api/v1/submissions?problem=groups")).Expect(200);
        Assert.Equal(done.GetProperty("id").GetString(), listed.GetProperty("submissions")[0].GetProperty("id").GetString());

        Assert.Equal(System.Net.HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/problems/groups/versions/{version}")).StatusCode);
        var versions = await (await client.GetAsync("/api/v1/problems/groups")).Expect(200);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, versions.GetProperty("latest").ValueKind);
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, versions.GetProperty("versions")[0].GetProperty("retired_at").ValueKind);
        var refused = await (await client.PostJson("/api/v1/submissions", new { language = TestHosts.Python, source = "print(1)", problem = "groups" })).Expect(400);
        Assert.Contains("retired", refused.GetProperty("errors").GetProperty("problem")[0].GetString());
        var mixed = await (await client.PostJson("/api/v1/submissions", new { language = TestHosts.Python, source = "print(1)", problem = "groups", stdin = "1" })).Expect(400);
        Assert.True(mixed.GetProperty("errors").TryGetProperty("stdin", out _), mixed.ToString());
    }

    [Fact]
    public async Task The_example_problem_in_the_repository_uploads_and_judges_a_correct_sum_to_full_points()
    {
        await using var host = TestHosts.Api(await postgres.CreateDatabaseAsync());
        var client = host.Client();
        var dir = Path.Combine(RepoPaths.Root, "api", "examples", "problem-sum");
        var zip = ProblemZip.Build(Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Select(f => (Path.GetRelativePath(dir, f), File.ReadAllText(f))).ToArray());
        await (await client.PutAsync("sum", zip)).Expect(201);
        var done = await (await client.PostJson("/api/v1/submissions?wait=true", new { language = TestHosts.Python, source = "print(sum(map(int, input().split())))", problem = "sum" })).Expect(200);
        Assert.True(done.GetProperty("score").GetDouble() == 100, done.ToString());
    }

    private static (string, double) Of(System.Text.Json.JsonElement group) =>
        (group.GetProperty("status").GetString()!, group.GetProperty("score").GetDouble());

    [Fact]
    public async Task Multi_file_C_and_Python_submissions_build_from_their_files_and_a_path_outside_the_box_is_refused()
    {
        await using var host = TestHosts.Api(await postgres.CreateDatabaseAsync());
        var client = host.Client();
        var c = await (await client.PostJson("/api/v1/submissions?wait=true", new
        {
            language = "c",
            source = "#include <stdio.h>\n#include \"lib/twice.h\"\nint main(void){int n; scanf(\"%d\", &n); printf(\"%d\\n\", twice(n)); return 0;}\n",
            files = new Dictionary<string, string> { ["lib/twice.h"] = "static inline int twice(int n) { return 2 * n; }\n" },
            stdin = "21",
            expected_output = "42",
        })).Expect(200);
        Assert.True(c.GetProperty("verdict").GetString() == "accepted", c.ToString());

        var python = await (await client.PostJson("/api/v1/submissions?wait=true", new
        {
            language = TestHosts.Python,
            source = "from helpers import twice\nprint(twice(int(input())))\n",
            files = new Dictionary<string, string> { ["helpers.py"] = "def twice(n):\n    return 2 * n\n" },
            tests = new[] { new { name = "a", input = "1", expected_output = "2" }, new { name = "b", input = "5", expected_output = "11" } },
            groups = new[] { new { name = "all", points = 100, scoring = "sum", tests = new[] { "a", "b" } } },
        })).Expect(200);
        Assert.Equal(50, python.GetProperty("score").GetDouble());
        Assert.Equal("b", python.GetProperty("groups")[0].GetProperty("first_failure").GetString());

        var refused = await (await client.PostJson("/api/v1/submissions", new
        {
            language = TestHosts.Python,
            source = "print(1)",
            files = new Dictionary<string, string> { ["../escape.py"] = "x", ["main.py"] = "y" },
        })).Expect(400);
        Assert.True(refused.GetProperty("errors").TryGetProperty("files.../escape.py", out _), refused.ToString());
        Assert.True(refused.GetProperty("errors").TryGetProperty("files.main.py", out _), refused.ToString());
    }
}
