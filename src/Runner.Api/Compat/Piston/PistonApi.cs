using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Runner.Api.Contracts;
using Runner.Api.Hosting;
using Runner.Api.Queue;
using Runner.Api.Security;
using Runner.Api.Storage;
using Runner.Api.Submissions;

namespace Runner.Api.Compat.Piston;

/// <summary>
/// Piston v2's API at /api/v2 (and at /piston/{key}/api/v2 for clients that cannot send a
/// header), on Runner's queue and workers. Every answer is JSON, errors included.
/// </summary>
public static class PistonApi
{
    public const string Name = "piston";
    public const string Tag = "Piston compatibility";

    private static readonly string[] AuthHeaders = ["Authorization", ApiKeys.Header];

    public static WebApplication MapPiston(this WebApplication app)
    {
        Map(app, "/api/v2");
        Map(app, "/piston/{key}/api/v2");
        return app;
    }

    private static void Map(WebApplication app, string prefix)
    {
        var g = app.MapGroup(prefix).WithTags(Tag).ExcludeFromDescription().AddEndpointFilter(Authenticate);
        g.MapGet("/", () => Message("Runner, speaking Piston v2", StatusCodes.Status200OK));
        g.MapGet("/runtimes", Runtimes);
        g.MapPost("/execute", Execute);
        g.MapGet("/packages", (PistonRuntimes runtimes) => CompatHttp.Write(new JsonArray(runtimes.All()
            .Select(r => (JsonNode)new JsonObject { ["language"] = r.Language, ["language_version"] = r.Version, ["installed"] = true }).ToArray())));
        g.MapMethods("/packages", ["POST", "DELETE"], () =>
            Message("package management is not supported: languages are configured by the operator", StatusCodes.Status501NotImplemented));
        g.Map("/connect", () => Message("interactive execution (/api/v2/connect) is not supported", StatusCodes.Status501NotImplemented));
        g.Map("/{**rest}", () => Message("Not Found", StatusCodes.Status404NotFound));
    }

    private static IResult Message(string message, int status) => CompatHttp.Error("message", message, status);

    /// <summary>
    /// Open without Runner:ApiKeys, as Piston is. With keys: Authorization (raw or Bearer),
    /// X-Api-Key, or the key in the path; Runner:Compat:Piston:Anonymous=true opens it anyway.
    /// </summary>
    private static async ValueTask<object?> Authenticate(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var keys = http.RequestServices.GetRequiredService<ApiKeys>();
        var anonymous = http.RequestServices.GetRequiredService<IConfiguration>().GetValue<bool>("Runner:Compat:Piston:Anonymous");
        if (anonymous || CompatHttp.Authorized(http, keys, AuthHeaders, http.Request.RouteValues["key"] as string)) return await next(context);
        return Message("send an API key in Authorization, X-Api-Key, or the path /piston/{key}/api/v2", StatusCodes.Status401Unauthorized);
    }

    internal static IResult Runtimes(PistonRuntimes runtimes) => CompatHttp.Write(new JsonArray(runtimes.All().Select(r =>
    {
        var o = new JsonObject { ["language"] = r.Language, ["version"] = r.Version, ["aliases"] = new JsonArray(r.Aliases.Select(a => (JsonNode)a).ToArray()) };
        if (r.Package is not null) o["runtime"] = r.Package;
        return (JsonNode)o;
    }).ToArray()));

    internal static async Task<IResult> Execute(HttpContext http, PistonRuntimes runtimes, SubmissionQueue queue, ISubmissionStore store,
        CompletionSignals signals, IOptions<RunnerOptions> options, TimeProvider clock, ILogger<SubmissionQueue> logger, CancellationToken ct)
    {
        try
        {
            var (body, parseError) = await CompatHttp.ReadJsonAsync(http.Request, ct);
            if (parseError is not null) return Message($"the body is not JSON: {parseError}", StatusCodes.Status400BadRequest);
            var job = PistonJob.Read(body as JsonObject ?? [], runtimes, options.Value.Limits, clock, out var error);
            if (job is null) return Message(error!, StatusCodes.Status400BadRequest);

            if (!await queue.HasRoomForAsync(1, ct)) return Message("queue is full", StatusCodes.Status503ServiceUnavailable);
            var stored = (await queue.SubmitAsync([job.Record], ct))[0].Stored;
            // Synchronous like Piston: hold until the run is done, however long the queue is.
            var limits = job.Record.Input;
            var bound = TimeSpan.FromSeconds(Math.Max(options.Value.WaitTimeoutSeconds, 120 + limits.Limits.WallTime + (limits.Execution!.CompileWallTime ?? 0)));
            stored = await SubmissionsApi.WaitForFinishAsync(stored, signals, store, bound, logger, ct);
            if (stored.Status != SubmissionStatus.Finished)
                return Message($"the run did not finish within {bound.TotalSeconds:0} s; it stays queued as submission {stored.Id}", StatusCodes.Status500InternalServerError);
            return PistonResult.Render(stored, job.Runtime) is { } answer
                ? CompatHttp.Write(answer)
                : Message(stored.Result?.Execution?.InternalError ?? stored.Result?.Message ?? "internal error", StatusCodes.Status500InternalServerError);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Piston execute failed");
            return Message(e.Message, StatusCodes.Status500InternalServerError);
        }
    }
}
