using System.Text.Json;
using Runner.Api.Tests.Infrastructure;

namespace Runner.Api.Tests.Problems;

/// <summary>"Guess the number" stored as an interactive problem and judged by reference through the service, real boxes.</summary>
[Collection("Service")]
public sealed class InteractiveProblemTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private static readonly string Interactor =
        File.ReadAllText(Path.Combine(RepoPaths.Root, "tests/Runner.Judge.Tests/Programs/guess_interactor.c"));

    private static readonly string BinarySearch =
        File.ReadAllText(Path.Combine(RepoPaths.Root, "tests/Runner.Judge.Tests/Programs/guess_binary_search.py"));

    /// <summary>
    /// A problem whose one test holds <paramref name="input"/> (the secret and the interactor's mode).
    /// The wall limit leaves a spinning program room to reach its CPU limit on a loaded machine.
    /// </summary>
    private static byte[] Guess(string input) => ProblemZip.Build(
        ("problem.json", """{"limits": {"time": 0.3, "wall_time": 3}, "interactor": {"language": "c", "file": "interactor.c"}}"""),
        ("interactor.c", Interactor),
        ("tests/1.in", input + "\n"));

    private static async Task<JsonElement> Judge(HttpClient client, object submission) =>
        await (await client.PostJson("/api/v1/submissions?wait=true", submission)).Expect(200);

    [Fact]
    public async Task A_stored_interactive_problem_judges_correct_wrong_slow_deadlocked_and_crashing_interactor_cases()
    {
        await using var host = TestHosts.Api(await postgres.CreateDatabaseAsync());
        var client = host.Client();
        await (await client.PutAsync("guess", Guess("777"))).Expect(201);
        await (await client.PutAsync("guess-crash", Guess("777 crash"))).Expect(201);

        var cases = new (string Problem, string Source, string Verdict, string Message)[]
        {
            ("guess", BinarySearch, "accepted", "found 777 in 8 guesses"),
            ("guess", "i = 1\nwhile True:\n    print(i, flush=True)\n    input()\n    i += 1\n", "wrong_answer", "10 guesses and 777 is still not found"),
            ("guess", "print(500, flush=True)\ninput()\nwhile True:\n    pass\n", "time_limit_exceeded", "CPU time limit of 0.3 s exceeded"),
            ("guess", "import sys\nprint(500)\nsys.stdin.readline()\n", "time_limit_exceeded", "deadlock: wall-clock limit of 3 s exceeded"),
            ("guess-crash", BinarySearch, "internal_error", "interactor failure: it ended with Signaled"),
        };
        foreach (var (problem, source, verdict, message) in cases)
        {
            var done = await Judge(client, new { language = TestHosts.Python, source, problem });
            var test = Assert.Single(done.GetProperty("tests").EnumerateArray());
            Assert.True(done.GetProperty("verdict").GetString() == verdict, $"{problem} {source}: {done}");
            Assert.StartsWith(message, test.GetProperty("message").GetString());
        }
    }

    [Fact]
    public async Task A_problem_with_both_an_interactor_and_a_custom_checker_is_refused_at_upload()
    {
        await using var host = TestHosts.Api(await postgres.CreateDatabaseAsync());
        var zip = ProblemZip.Build(
            ("problem.json", """{"checker": {"type": "custom", "language": "c", "file": "checker.c"}, "interactor": {"language": "c", "file": "interactor.c"}}"""),
            ("checker.c", "int main(void) { return 0; }\n"),
            ("interactor.c", Interactor),
            ("tests/1.in", "1\n"));
        var refused = await (await host.Client().PutAsync("both", zip)).Expect(400);
        Assert.True(refused.GetProperty("errors").TryGetProperty("problem.json:interactor", out _), refused.ToString());
    }
}
