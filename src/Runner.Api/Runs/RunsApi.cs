using Microsoft.AspNetCore.Http.HttpResults;
using Runner.Api.Contracts;
using Runner.Api.Errors;
using Runner.Api.Hosting;
using Runner.Api.Http;
using Runner.Api.Submissions;

namespace Runner.Api.Runs;

public static class RunsApi
{
    public static RouteGroupBuilder MapRunsApi(this RouteGroupBuilder api, LimitOptions limits)
    {
        api.MapPost("/runs", Run).WithTags("Runs").WithName("CreateRun")
            .WithMetadata(new BodySizeLimit(BodySizeLimit.Run(limits)), new RunAdmission.Required())
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        return api;
    }

    /// <summary>Run one argv in a fresh box with the given files; return the sandbox result and the copy_out files.</summary>
    internal static async Task<Results<Ok<RunResponse>, ValidationProblem>> Run(RunRequest request, RunExecutor runs, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var prepared = runs.Validate(request, errors);
        if (prepared is null) return Problems.Invalid(errors);
        try
        {
            return TypedResults.Ok(await runs.RunAsync(prepared, ct));
        }
        catch (RunRequestException e)
        {
            errors.Add(e.Field, e.Message);
            return Problems.Invalid(errors);
        }
    }
}
