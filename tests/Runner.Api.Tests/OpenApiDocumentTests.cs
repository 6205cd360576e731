using System.Text.Json;
using Runner.Api.Tests.Infrastructure;

namespace Runner.Api.Tests;

/// <summary>
/// The committed api/openapi.json (kept equal to the served document by ApiContractTests) is
/// good enough to generate a client from: numbers are numbers, required fields are marked,
/// closed sets are enums, every answer an endpoint can give is declared, and it says what
/// things mean.
/// </summary>
public sealed class OpenApiDocumentTests
{
    private static readonly JsonElement Document = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "api", "openapi.json"))).RootElement;
    private static JsonElement Schema(string name) => Document.GetProperty("components").GetProperty("schemas").GetProperty(name);

    private static IEnumerable<(string Path, string Method, JsonElement Operation)> Operations() =>
        Document.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(m => (p.Name, m.Name, m.Value)));

    private static IEnumerable<string> Types(JsonElement schema) =>
        !schema.TryGetProperty("type", out var t) ? [] : t.ValueKind == JsonValueKind.Array ? t.EnumerateArray().Select(x => x.GetString()!) : [t.GetString()!];

    /// <summary>The schema itself, or the one its $ref names.</summary>
    private static JsonElement Resolve(JsonElement schema) =>
        schema.TryGetProperty("$ref", out var r) ? Schema(r.GetString()!["#/components/schemas/".Length..]) : schema;

    private static IEnumerable<string> Strings(JsonElement array) => array.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!);

    [Fact]
    public void Numbers_are_typed_as_numbers_only()
    {
        foreach (var schema in Document.GetProperty("components").GetProperty("schemas").EnumerateObject())
            foreach (var property in schema.Value.TryGetProperty("properties", out var ps) ? ps.EnumerateObject() : Enumerable.Empty<JsonProperty>())
            {
                var types = Types(property.Value).ToList();
                if (types.Contains("number") || types.Contains("integer"))
                {
                    Assert.False(types.Contains("string"), $"{schema.Name}.{property.Name} is typed {string.Join("|", types)}");
                    Assert.False(property.Value.TryGetProperty("pattern", out _), $"{schema.Name}.{property.Name} has a string pattern");
                }
            }
    }

    [Fact]
    public void Required_request_fields_are_marked_required()
    {
        Assert.Superset(new HashSet<string> { "language", "source" }, Strings(Schema("SubmissionRequest").GetProperty("required")).ToHashSet());
        // A run gives command or steps, so neither is required by itself; a step needs its command.
        Assert.Contains("command", Strings(Schema("RunStepRequest").GetProperty("required")));
        Assert.Contains("submissions", Strings(Schema("BatchRequest").GetProperty("required")));
    }

    [Fact]
    public void Checker_type_verdict_and_statuses_are_enums()
    {
        Assert.Equal(["exact", "lines", "tokens", "float", "custom"], Strings(Schema("CheckerRequest").GetProperty("properties").GetProperty("type").GetProperty("enum")));
        Assert.Contains("wrong_answer", Strings(Schema("Verdict").GetProperty("enum")));
        Assert.Equal(["queued", "running", "finished"], Strings(Schema("SubmissionStatus").GetProperty("enum")));
        Assert.Contains("wall_time_limit", Strings(Resolve(Schema("RunResponse").GetProperty("properties").GetProperty("status")).GetProperty("enum")));
        Assert.Equal(["starting", "compiling", "testing"], Strings(Schema("ProgressView").GetProperty("properties").GetProperty("phase").GetProperty("enum")));
    }

    [Fact]
    public void Every_answer_an_endpoint_gives_is_declared_including_health()
    {
        string[] Codes(string path, string method) =>
            Document.GetProperty("paths").GetProperty(path).GetProperty(method).GetProperty("responses").EnumerateObject().Select(r => r.Name).ToArray();
        Assert.Contains("404", Codes("/api/v1/submissions/{id}", "get"));
        Assert.Contains("404", Codes("/api/v1/submissions/batch", "get"));
        foreach (var (path, method, operation) in Operations().Where(o => o.Path.StartsWith("/api/", StringComparison.Ordinal)))
        {
            var codes = operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToList();
            Assert.True(codes.Contains("401"), $"{method} {path} does not declare 401");
            if (operation.TryGetProperty("requestBody", out _)) Assert.True(codes.Contains("400"), $"{method} {path} does not declare 400");
        }
        Assert.Equal(["200"], Codes("/health/live", "get"));
        Assert.Equal(["200", "503"], Codes("/health/ready", "get"));
    }

    [Fact]
    public void Every_operation_and_request_field_is_described()
    {
        foreach (var (path, method, operation) in Operations())
            Assert.True(operation.TryGetProperty("summary", out var s) && s.GetString()!.Length > 0, $"{method} {path} has no summary");
        foreach (var name in new[] { "SubmissionRequest", "TestCaseRequest", "LimitsRequest", "CheckerRequest", "BatchRequest", "RunRequest", "RunFile" })
        {
            var schema = Schema(name);
            Assert.True(schema.TryGetProperty("description", out _), $"{name} has no description");
            foreach (var property in schema.GetProperty("properties").EnumerateObject())
            {
                // A $ref (limits, checker) takes the referenced schema's description.
                var isReference = property.Value.TryGetProperty("$ref", out _) || (property.Value.TryGetProperty("oneOf", out var one) && one.EnumerateArray().Any(x => x.TryGetProperty("$ref", out _)));
                Assert.True(isReference || property.Value.TryGetProperty("description", out _), $"{name}.{property.Name} has no description");
            }
        }
    }
}
