using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Runner.Api.Contracts;
using Runner.Judge.Checking;

namespace Runner.Api.Hosting;

/// <summary>
/// What the generated OpenAPI document cannot see by itself: string fields whose values are a
/// closed set (checked by hand, so a 400 can name the field), and the health endpoints, which
/// are not route handlers. Client generators need both.
/// </summary>
internal sealed class OpenApiContract : IOpenApiSchemaTransformer, IOpenApiDocumentTransformer
{
    private static readonly Dictionary<(Type, string), IReadOnlyList<string>> Enums = new()
    {
        [(typeof(CheckerRequest), "type")] = Enum.GetValues<CheckerKind>().Select(CheckerKindJsonConverter.Name).ToList(),
        [(typeof(ProgressView), "phase")] = ["starting", "compiling", "testing"],
    };

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken ct)
    {
        if (schema.Properties is null) return Task.CompletedTask;
        foreach (var ((type, property), values) in Enums)
        {
            if (context.JsonTypeInfo.Type != type || !schema.Properties.TryGetValue(property, out var p) || p is not OpenApiSchema s) continue;
            s.Enum = values.Select(v => (JsonNode)JsonValue.Create(v)).ToList();
            if (s.Type is { } t && t.HasFlag(JsonSchemaType.Null)) s.Enum.Add(null!);
        }
        return Task.CompletedTask;
    }

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        document.Paths ??= [];
        document.Paths["/health/live"] = Health("Liveness: 200 while the process serves requests.", ready: false);
        document.Paths["/health/ready"] = Health(
            "Readiness: 200 when every check is healthy or degraded, 503 otherwise. Checks: database (the store answers), " +
            "sandbox (hosts with the worker role: a real box runs), workers (hosts with the api role: degraded while no live worker has recorded its languages).",
            ready: true);
        return Task.CompletedTask;
    }

    private static OpenApiPathItem Health(string description, bool ready)
    {
        var check = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string> { "status", "detail" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["status"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("healthy"), JsonValue.Create("degraded"), JsonValue.Create("unhealthy")] },
                ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String | JsonSchemaType.Null, Description = "Why, in words." },
            },
        };
        var report = new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Required = new HashSet<string> { "status", "checks" },
            Properties = new Dictionary<string, IOpenApiSchema>
            {
                ["status"] = check.Properties["status"],
                ["checks"] = new OpenApiSchema { Type = JsonSchemaType.Object, AdditionalProperties = check, Description = "Each check by name." },
            },
        };
        var responses = new OpenApiResponses
        {
            ["200"] = ready
                ? new OpenApiResponse { Description = "Ready", Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = report } } }
                : new OpenApiResponse { Description = "Alive", Content = new Dictionary<string, OpenApiMediaType> { ["text/plain"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } } } },
        };
        if (ready)
            responses["503"] = new OpenApiResponse { Description = "Not ready", Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = report } } };
        return new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new()
                {
                    Summary = description,
                    OperationId = ready ? "HealthReady" : "HealthLive",
                    Tags = new HashSet<OpenApiTagReference> { new("Health") },
                    Security = [],
                    Responses = responses,
                },
            },
        };
    }
}
