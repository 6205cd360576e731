using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Runner.Api.Errors;
using Runner.Api.Hosting;
using Runner.Api.Http;
using Runner.Api.Languages;
using Runner.Api.Storage;
using Runner.Api.Submissions;
using Runner.Judge.Groups;

namespace Runner.Api.StoredProblems;

public static partial class ProblemsApi
{
    public static RouteGroupBuilder MapProblemsApi(this RouteGroupBuilder api, ProblemOptions options)
    {
        var group = api.MapGroup("/problems").WithTags("Problems");
        group.MapPut("/{id}", Put).WithName("PutProblem")
            .WithMetadata(new BodySizeLimit(options.MaxZipBytes), new RawBody("application/zip", "application/octet-stream", "application/x-zip-compressed"))
            .Accepts<byte[]>("application/zip")
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapGet("/{id}", List).WithName("GetProblem").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id}/versions/{version}", Get).WithName("GetProblemVersion").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapDelete("/{id}/versions/{version}", Retire).WithName("RetireProblemVersion").ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex IdPattern();

    /// <summary>
    /// Upload a problem as a zip (README.md, "Problems"). 201 with the new version, or 200 when
    /// this content is already a version of the problem (then it is un-retired and the latest).
    /// </summary>
    internal static async Task<Results<Created<ProblemVersionView>, Ok<ProblemVersionView>, ValidationProblem, ProblemHttpResult>> Put(
        string id,
        HttpContext http,
        IProblemStore store,
        IOptions<ProblemOptions> problemOptions,
        IOptions<RunnerOptions> options,
        LiveLanguages languages,
        CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (!IdPattern().IsMatch(id))
        {
            errors.Add("id", "must be 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit");
            return Problems.Invalid(errors);
        }
        var bounds = problemOptions.Value;
        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body, ct);
        if (body.Length > bounds.MaxZipBytes)
            return TypedResults.Problem(detail: $"body: is larger than this endpoint's maximum of {bounds.MaxZipBytes} bytes",
                statusCode: StatusCodes.Status413PayloadTooLarge, title: "The request body is too large");

        var known = languages.Available.Select(l => l.Id).ToHashSet(StringComparer.Ordinal);
        var package = ProblemPackage.Read(body.ToArray(), bounds, options.Value.Limits, known, errors);
        if (package is null) return Problems.Invalid(errors);

        var zip = package.ToZip();
        var version = new ProblemVersion
        {
            Problem = id,
            Version = package.Version,
            UploadedAt = DateTimeOffset.UtcNow,
            PackageBytes = zip.Length,
            Definition = package.Definition,
        };
        var created = await store.PutAsync(version, zip, ct);
        var stored = await store.GetAsync(id, package.Version, ct) ?? version;
        var view = ProblemVersionView.From(stored);
        return created ? TypedResults.Created(Location(id, package.Version), view) : TypedResults.Ok(view);
    }

    /// <summary>A problem's versions, the latest upload first, and which one a submission naming only the problem gets.</summary>
    internal static async Task<Results<Ok<ProblemView>, ProblemHttpResult>> List(string id, IProblemStore store, CancellationToken ct)
    {
        var versions = await store.ListAsync(id, ct);
        if (versions.Count == 0) return Problems.NotFound($"no problem '{id}'");
        return TypedResults.Ok(new ProblemView(id, versions.FirstOrDefault(v => v.RetiredAt is null)?.Version,
            versions.Select(v => new ProblemVersionSummary(v.Version, v.UploadedAt, v.RetiredAt, v.PackageBytes, v.Definition.Tests.Count)).ToList()));
    }

    /// <summary>One version's metadata: limits, checker, interactor, groups and tests with their sizes.</summary>
    internal static async Task<Results<Ok<ProblemVersionView>, ProblemHttpResult>> Get(string id, string version, IProblemStore store, CancellationToken ct) =>
        await store.GetAsync(id, version, ct) is { } v
            ? TypedResults.Ok(ProblemVersionView.From(v))
            : Problems.NotFound($"problem '{id}' has no version '{version}'");

    /// <summary>Retire a version: new submissions may no longer name it; queued ones are still judged with it.</summary>
    internal static async Task<Results<NoContent, ProblemHttpResult>> Retire(string id, string version, IProblemStore store, CancellationToken ct) =>
        await store.RetireAsync(id, version, ct)
            ? TypedResults.NoContent()
            : Problems.NotFound($"problem '{id}' has no version '{version}'");

    private static string Location(string id, string version) => $"/api/v1/problems/{id}/versions/{version}";
}

/// <summary>GET /api/v1/problems/{id}: latest is the version a submission naming only the problem is judged with (null when all are retired).</summary>
public sealed record ProblemView(string Problem, string? Latest, IReadOnlyList<ProblemVersionSummary> Versions);

public sealed record ProblemVersionSummary(string Version, DateTimeOffset UploadedAt, DateTimeOffset? RetiredAt, long PackageBytes, int Tests);

/// <summary>One version: the stored package's size, problem.json as resolved (limits with defaults applied) and the tests.</summary>
public sealed record ProblemVersionView(
    string Problem,
    string Version,
    DateTimeOffset UploadedAt,
    DateTimeOffset? RetiredAt,
    long PackageBytes,
    long UnpackedBytes,
    string? Name,
    JudgeLimits Limits,
    ProblemChecker Checker,
    ProblemProgram? Interactor,
    IReadOnlyList<TestGroup>? Groups,
    IReadOnlyList<ProblemTest> Tests)
{
    public static ProblemVersionView From(ProblemVersion v) => new(v.Problem, v.Version, v.UploadedAt, v.RetiredAt, v.PackageBytes,
        v.Definition.UnpackedBytes, v.Definition.Name, v.Definition.Limits, v.Definition.Checker, v.Definition.Interactor,
        v.Definition.Groups, v.Definition.Tests);
}
