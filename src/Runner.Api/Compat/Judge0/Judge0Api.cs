using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Runner.Api.Hosting;
using Runner.Api.Queue;
using Runner.Api.Security;
using Runner.Api.Storage;
using Runner.Api.Submissions;

namespace Runner.Api.Compat.Judge0;

/// <summary>
/// Judge0 CE 1.13.1's API at the server root (and under Runner:Compat:Judge0:Prefix when set),
/// on Runner's queue and workers. README.md#compatibility-judge0-ce-and-piston lists what it answers.
/// </summary>
public static class Judge0Api
{
    public const string Name = "judge0";
    public const string Tag = "Judge0 compatibility";

    private const string Utf8Error = "some attributes for this submission cannot be converted to UTF-8, use base64_encoded=true query parameter";
    private const string Utf8BatchError = "some attributes for one or more submissions cannot be converted to UTF-8, use base64_encoded=true query parameter";

    private static readonly string[] AuthHeaders = ["X-Auth-Token", ApiKeys.Header];

    public static WebApplication MapJudge0(this WebApplication app)
    {
        Map(app, "");
        var prefix = app.Configuration["Runner:Compat:Judge0:Prefix"]?.TrimEnd('/');
        if (!string.IsNullOrEmpty(prefix)) Map(app, prefix.StartsWith('/') ? prefix : "/" + prefix);
        return app;
    }

    private static void Map(WebApplication app, string prefix)
    {
        var g = app.MapGroup(prefix).WithTags(Tag).ExcludeFromDescription().AllowAnyOrigin().AddEndpointFilter(Authenticate);
        g.MapPost("/submissions", Create);
        g.MapGet("/submissions", (HttpContext _) => Forbidden());
        g.MapPost("/submissions/batch", CreateBatch);
        g.MapGet("/submissions/batch", GetBatch);
        g.MapGet("/submissions/{token}", Get);
        g.MapDelete("/submissions/{token}", (HttpContext _) => Forbidden());
        g.MapGet("/languages", Judge0Info.Languages);
        g.MapGet("/languages/all", Judge0Info.AllLanguages);
        g.MapGet("/languages/{id}", Judge0Info.Language);
        g.MapGet("/statuses", Judge0Info.Statuses);
        g.MapGet("/about", Judge0Info.About);
        g.MapGet("/version", () => Results.Text(Judge0Info.Version, "text/plain"));
        g.MapGet("/config_info", Judge0Info.Config);
        g.MapGet("/workers", Judge0Info.Workers);
        g.MapGet("/system_info", Judge0Info.SystemInfo);
        g.MapGet("/statistics", () => CompatHttp.Error("error", "not supported", StatusCodes.Status501NotImplemented));
        g.MapGet("/isolate", Judge0Info.Isolate);
        g.MapGet("/license", Judge0Info.License);
        g.MapPost("/authenticate", () => Results.Ok());
        g.MapPost("/authorize", (HttpContext _) => Forbidden());
        foreach (var path in new[] { "/submissions", "/submissions/batch", "/submissions/{token}", "/languages", "/languages/all",
                     "/languages/{id}", "/statuses", "/about", "/version", "/config_info", "/workers", "/system_info", "/statistics",
                     "/isolate", "/license", "/authenticate", "/authorize" })
            app.MapPreflight(prefix + path);
    }

    /// <summary>Judge0 answers 403 where authorization (AUTHZ_TOKEN) is needed and not configured, as here.</summary>
    private static IResult Forbidden() => CompatHttp.Error("error", "authorization is not configured on this server", StatusCodes.Status403Forbidden);

    /// <summary>With Runner:ApiKeys set, a key in X-Auth-Token (Judge0's header, also accepted as a query parameter) or X-Api-Key.</summary>
    private static async ValueTask<object?> Authenticate(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var keys = http.RequestServices.GetRequiredService<ApiKeys>();
        if (CompatHttp.Authorized(http, keys, AuthHeaders, http.Request.Query["X-Auth-Token"])) return await next(context);
        return CompatHttp.Error("error", "authentication failed: send a key in X-Auth-Token", StatusCodes.Status401Unauthorized);
    }

    private static bool Flag(HttpContext http, string name) =>
        string.Equals(http.Request.Query[name], "true", StringComparison.OrdinalIgnoreCase);

    internal static async Task<IResult> Create(HttpContext http, Judge0SubmissionReader reader, SubmissionQueue queue, ISubmissionStore store,
        CompletionSignals signals, IOptions<RunnerOptions> options, ILogger<SubmissionQueue> logger, CancellationToken ct)
    {
        var base64 = Flag(http, "base64_encoded");
        var wait = Flag(http, "wait");
        var fields = Judge0View.ParseFields(http.Request.Query["fields"], out var invalid);
        if (wait && invalid.Count > 0) return CompatHttp.Error("error", Judge0View.InvalidFields(invalid), StatusCodes.Status400BadRequest);
        var (body, parseError) = await CompatHttp.ReadJsonAsync(http.Request, ct);
        if (parseError is not null) return CompatHttp.Error("error", $"the body is not JSON: {parseError}", StatusCodes.Status400BadRequest);

        var record = reader.Read(body, base64, out var errors);
        if (record is null) return CompatHttp.Write(Errors(errors), StatusCodes.Status422UnprocessableEntity);
        if (!await queue.HasRoomForAsync(1, ct)) return QueueFull();
        var stored = (await queue.SubmitAsync([record], ct))[0].Stored;
        if (!wait) return CompatHttp.Write(new JsonObject { ["token"] = stored.Id.ToString() }, StatusCodes.Status201Created);

        stored = await SubmissionsApi.WaitForFinishAsync(stored, signals, store, TimeSpan.FromSeconds(options.Value.WaitTimeoutSeconds), logger, ct);
        // Not finished in time: still 201, with status 1 or 2, so the client polls with the token.
        return Judge0View.Render(stored, fields, base64) is { } view
            ? CompatHttp.Write(view, StatusCodes.Status201Created)
            : CompatHttp.Write(new JsonObject { ["token"] = stored.Id.ToString(), ["error"] = Utf8Error }, StatusCodes.Status201Created);
    }

    internal static async Task<IResult> Get(string token, HttpContext http, ISubmissionStore store, CancellationToken ct)
    {
        var fields = Judge0View.ParseFields(http.Request.Query["fields"], out var invalid);
        if (invalid.Count > 0) return CompatHttp.Error("error", Judge0View.InvalidFields(invalid), StatusCodes.Status400BadRequest);
        if (!Guid.TryParse(token, out var id) || await store.GetAsync(id, ct) is not { } record || Judge0SubmissionReader.Settings(record) is null)
            return CompatHttp.Error("error", "Not Found", StatusCodes.Status404NotFound);
        return Judge0View.Render(record, fields, Flag(http, "base64_encoded")) is { } view
            ? CompatHttp.Write(view)
            : CompatHttp.Error("error", Utf8Error, StatusCodes.Status400BadRequest);
    }

    internal static async Task<IResult> CreateBatch(HttpContext http, Judge0SubmissionReader reader, SubmissionQueue queue, CancellationToken ct)
    {
        var base64 = Flag(http, "base64_encoded");
        var (body, parseError) = await CompatHttp.ReadJsonAsync(http.Request, ct);
        if (parseError is not null) return CompatHttp.Error("error", $"the body is not JSON: {parseError}", StatusCodes.Status400BadRequest);
        var items = (body as JsonObject)?["submissions"] as JsonArray;
        if (items is null || items.Count == 0) return CompatHttp.Error("error", "there should be at least one submission in a batch", StatusCodes.Status400BadRequest);
        var max = reader.Limits.MaxBatch;
        if (items.Count > max) return CompatHttp.Error("error", $"number of submissions in a batch should be less than or equal to {max}", StatusCodes.Status400BadRequest);

        var answers = new JsonNode?[items.Count];
        var valid = new List<(int Index, SubmissionRecord Record)>();
        for (var i = 0; i < items.Count; i++)
        {
            if (reader.Read(items[i], base64, out var errors) is { } record) valid.Add((i, record));
            else answers[i] = Errors(errors);
        }
        if (valid.Count == 0) return CompatHttp.Write(new JsonArray(answers), StatusCodes.Status422UnprocessableEntity);
        if (!await queue.HasRoomForAsync(valid.Count, ct)) return QueueFull();
        var stored = await queue.SubmitAsync(valid.Select(v => v.Record).ToList(), ct);
        for (var k = 0; k < valid.Count; k++) answers[valid[k].Index] = new JsonObject { ["token"] = stored[k].Stored.Id.ToString() };
        return CompatHttp.Write(new JsonArray(answers), StatusCodes.Status201Created);
    }

    internal static async Task<IResult> GetBatch(HttpContext http, ISubmissionStore store, Judge0SubmissionReader reader, CancellationToken ct)
    {
        var fields = Judge0View.ParseFields(http.Request.Query["fields"], out var invalid);
        string? tokens = http.Request.Query["tokens"];
        if (string.IsNullOrEmpty(tokens)) tokens = http.Request.Headers["tokens"];
        var list = (tokens ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (list.Length == 0) return CompatHttp.Error("error", "there should be at least one submission in a batch", StatusCodes.Status400BadRequest);
        var max = reader.Limits.MaxBatch;
        if (list.Length > max) return CompatHttp.Error("error", $"number of submissions in a batch should be less than or equal to {max}", StatusCodes.Status400BadRequest);
        if (invalid.Count > 0) return CompatHttp.Error("error", Judge0View.InvalidFields(invalid), StatusCodes.Status400BadRequest);

        var ids = list.Select(t => Guid.TryParse(t, out var g) ? g : (Guid?)null).ToList();
        var found = (await store.GetManyAsync(ids.Where(g => g is not null).Select(g => g!.Value).Distinct().ToList(), ct))
            .Where(r => Judge0SubmissionReader.Settings(r) is not null).ToDictionary(r => r.Id);
        var base64 = Flag(http, "base64_encoded");
        var answers = new JsonArray();
        foreach (var id in ids)
        {
            if (id is null || !found.TryGetValue(id.Value, out var record))
            {
                // An unknown token is null in its place, not a 404.
                answers.Add(null);
                continue;
            }
            if (Judge0View.Render(record, fields, base64) is not { } view)
                return CompatHttp.Error("error", Utf8BatchError, StatusCodes.Status400BadRequest);
            answers.Add(view);
        }
        return CompatHttp.Write(new JsonObject { ["submissions"] = answers });
    }

    private static IResult QueueFull() => CompatHttp.Error("error", "queue is full", StatusCodes.Status503ServiceUnavailable);

    private static JsonObject Errors(Dictionary<string, List<string>> errors)
    {
        var o = new JsonObject();
        foreach (var (field, messages) in errors) o[field] = new JsonArray(messages.Select(m => (JsonNode?)m).ToArray());
        return o;
    }
}
