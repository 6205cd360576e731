using System.Net;
using System.Text;
using Runner.Api.Tests.Infrastructure;

namespace Runner.Api.Tests;

/// <summary>Request mistakes are 4xx problems that name the field in the API's words, never in .NET's.</summary>
[Collection("Service")]
public sealed class RequestErrorTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private static readonly string[] DotNetWords = ["System.", ".NET", "Nullable", "Service", "Runner.Api", "parameter \"", "Int64", "Int32"];

    /// <summary>An api-only host that believes a worker for python exists, so only the request decides the answer.</summary>
    private async Task<RunnerHost> HostAsync()
    {
        var db = await postgres.CreateDatabaseAsync();
        var host = TestHosts.Api(db, new Dictionary<string, string?> { ["Runner:Roles"] = "api" });
        await AbsentWorker.RecordAsync(db, host.Client(), TestHosts.Python);
        return host;
    }

    [Theory]
    [InlineData("/api/v1/submissions", "", "body")]
    [InlineData("/api/v1/submissions", "null", "body")]
    [InlineData("/api/v1/submissions", "[1, 2]", "body")]
    [InlineData("/api/v1/submissions", "{\"language\": \"python\", \"source\": \"x\", \"limits\": {\"memory\": 1.5e8}}", "limits.memory")]
    [InlineData("/api/v1/submissions", "{\"language\": \"python\", \"source\": \"x\", \"limits\": {\"time\": \"fast\"}}", "limits.time")]
    [InlineData("/api/v1/submissions", "{\"language\": \"python\", \"source\": 5}", "source")]
    [InlineData("/api/v1/submissions", "{\"language\": \"python\", \"source\": \"x\", \"tests\": {}}", "tests")]
    [InlineData("/api/v1/submissions", "{\"language\": \"python\", \"source\": \"x\", \"stdn\": \"1\"}", "stdn")]
    [InlineData("/api/v1/submissions", "{\"language\": \"python\", \"sou", "body")]
    [InlineData("/api/v1/submissions?wait=yes", "{\"language\": \"python\", \"source\": \"x\"}", "wait")]
    [InlineData("/api/v1/submissions?wiat=true", "{\"language\": \"python\", \"source\": \"x\"}", "wiat")]
    [InlineData("/api/v1/submissions/batch?wait=true", "{\"submissions\": [{\"language\": \"python\", \"source\": \"x\"}]}", "wait")]
    [InlineData("/api/v1/submissions/batch", "{\"submissions\": 3}", "submissions")]
    [InlineData("/api/v1/submissions", "{\"language\": \"python\", \"source\": \"x\", \"checker\": {\"type\": \"lines\", \"epsilon\": 0.1}}", "checker.epsilon")]
    [InlineData("/api/v1/submissions", "{\"language\": \"python\", \"source\": \"x\", \"checker\": {\"type\": \"tokens\", \"source\": \"x\"}}", "checker.source")]
    [InlineData("/api/v1/runs", "{\"command\": \"ls\"}", "command")]
    [InlineData("/api/v1/runs", "{\"command\": [\"/bin/true\"], \"files\": {\"a\": {\"content\": \"x\"}, \"a/b\": {\"content\": \"y\"}}}", "files.a/b")]
    public async Task A_bad_request_is_a_400_naming_the_field_without_dotnet_words(string url, string json, string field)
    {
        await using var host = await HostAsync();
        var r = await host.Client().PostAsync(url, new StringContent(json, Encoding.UTF8, "application/json"));
        var body = await r.Expect(400);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        Assert.True(body.GetProperty("errors").TryGetProperty(field, out _), $"errors should name '{field}': {body}");
        foreach (var word in DotNetWords)
            Assert.DoesNotContain(word, body.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Duplicate_test_names_are_a_400_naming_tests()
    {
        await using var host = await HostAsync();
        var r = await host.Client().PostJson("/api/v1/submissions", new
        {
            language = TestHosts.Python,
            source = "print(1)",
            tests = new[] { new { name = "a", input = "", expected_output = "1" }, new { name = "a", input = "", expected_output = "1" } },
        });
        var body = await r.Expect(400);
        Assert.Contains("'a'", body.GetProperty("errors").GetProperty("tests")[0].GetString());
    }

    [Theory]
    [InlineData("application/json; charset=\"utf-8\"", 202)]
    [InlineData("application/json; charset=UTF-8", 202)]
    [InlineData("application/json; charset=utf8", 202)]
    [InlineData("application/json; charset=foo", 415)]
    [InlineData("application/json; charset=\"latin1\"", 415)]
    [InlineData("text/plain", 415)]
    public async Task A_json_charset_other_than_utf8_is_a_415_naming_content_type(string contentType, int status)
    {
        await using var host = await HostAsync();
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes("{\"language\": \"python\", \"source\": \"print(1)\"}"));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        var r = await host.Client().PostAsync("/api/v1/submissions", content);
        var body = await r.Expect(status);
        if (status == 415)
        {
            Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
            Assert.True(body.GetProperty("errors").TryGetProperty("Content-Type", out _), body.ToString());
        }
    }

    [Fact]
    public async Task Run_file_names_over_name_max_or_path_max_are_400s_naming_the_file()
    {
        await using var host = await HostAsync();
        var longName = new string('n', 256);
        var deepPath = string.Join('/', Enumerable.Repeat(new string('d', 200), 25));
        var r = await host.Client().PostJson("/api/v1/runs?wait=true", new
        {
            command = new[] { "/bin/true" },
            files = new Dictionary<string, object> { [longName] = new { content = "x" }, [deepPath] = new { content = "y" } },
        });
        var errors = (await r.Expect(400)).GetProperty("errors");
        Assert.True(errors.TryGetProperty($"files.{longName}", out _), errors.ToString());
        Assert.True(errors.TryGetProperty($"files.{deepPath}", out _), errors.ToString());
    }

    [Fact]
    public async Task A_batch_get_of_1000_ids_names_the_missing_ones_instead_of_failing()
    {
        await using var host = await HostAsync();
        var ids = string.Join(',', Enumerable.Range(0, 1000).Select(_ => Guid.NewGuid()));
        var r = await host.Client().GetAsync($"/api/v1/submissions/batch?ids={ids}");
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
    }
}
