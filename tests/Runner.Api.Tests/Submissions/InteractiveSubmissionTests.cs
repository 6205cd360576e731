using System.Text.Json;
using Runner.Api.Tests.Infrastructure;

namespace Runner.Api.Tests.Submissions;

/// <summary>"Guess the number" through the service with the interactor inline in the submission, real boxes.</summary>
[Collection("Service")]
public sealed class InteractiveSubmissionTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private static readonly string Interactor =
        File.ReadAllText(Path.Combine(RepoPaths.Root, "tests/Runner.Judge.Tests/Programs/guess_interactor.c"));

    private static readonly string BinarySearch =
        File.ReadAllText(Path.Combine(RepoPaths.Root, "tests/Runner.Judge.Tests/Programs/guess_binary_search.py"));

    private static async Task<JsonElement> Judge(HttpClient client, object submission) =>
        await (await client.PostJson("/api/v1/submissions?wait=true", submission)).Expect(200);

    [Fact]
    public async Task An_inline_interactor_judges_a_submission_its_crash_is_an_internal_error_and_a_missing_source_a_400()
    {
        await using var host = TestHosts.Api(await postgres.CreateDatabaseAsync());
        var client = host.Client();
        var accepted = await Judge(client, new
        {
            language = TestHosts.Python,
            source = BinarySearch,
            tests = new[] { new { input = "1\n" }, new { input = "1000\n" } },
            interactor = new { language = "c", source = Interactor },
        });
        Assert.True(accepted.GetProperty("verdict").GetString() == "accepted", accepted.ToString());

        var crashed = await Judge(client, new
        {
            language = TestHosts.Python,
            source = BinarySearch,
            stdin = "5 crash\n",
            interactor = new { language = "c", source = Interactor },
        });
        Assert.True(crashed.GetProperty("verdict").GetString() == "internal_error", crashed.ToString());
        Assert.StartsWith("interactor failure: it ended with Signaled", Assert.Single(crashed.GetProperty("tests").EnumerateArray()).GetProperty("message").GetString());

        var refused = await (await client.PostJson("/api/v1/submissions", new
        {
            language = TestHosts.Python,
            source = BinarySearch,
            interactor = new { language = "c" },
        })).Expect(400);
        Assert.True(refused.GetProperty("errors").TryGetProperty("interactor.source", out _), refused.ToString());
    }
}
