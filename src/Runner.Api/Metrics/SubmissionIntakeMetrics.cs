using Microsoft.AspNetCore.Diagnostics;

namespace Runner.Api.Metrics;

/// <summary>
/// Marks an endpoint that takes submissions (besides CreateSubmission and CreateSubmissionBatch,
/// which are known by name), so its refusals count in runner_submissions_rejected_total.
/// </summary>
public sealed class SubmissionIntake
{
    public static readonly SubmissionIntake Marker = new();
}

/// <summary>
/// Counts refused submission requests by reason. It runs outside the exception handler, so it
/// sees the final answer whichever layer gave it: validation, the API key filter, the body cap,
/// the queue bound or the database.
/// </summary>
public static class SubmissionIntakeMetrics
{
    private static readonly HashSet<string> IntakeNames = new(StringComparer.Ordinal) { "CreateSubmission", "CreateSubmissionBatch" };

    public static IApplicationBuilder UseSubmissionRejectionMetrics(this IApplicationBuilder app)
    {
        var metrics = app.ApplicationServices.GetRequiredService<RunnerMetrics>();
        return app.Use(async (http, next) =>
        {
            // Routing ran first, and the exception handler clears the endpoint: read it now.
            if (!IsIntake(http.GetEndpoint()))
            {
                await next(http);
                return;
            }
            try
            {
                await next(http);
            }
            catch
            {
                metrics.Rejected("error");
                throw;
            }
            if (http.Response.StatusCode >= 400) metrics.Rejected(Reason(http));
        });
    }

    private static bool IsIntake(Endpoint? endpoint) =>
        endpoint is not null
        && (endpoint.Metadata.GetMetadata<SubmissionIntake>() is not null
            || endpoint.Metadata.GetMetadata<IEndpointNameMetadata>() is { } name && IntakeNames.Contains(name.EndpointName));

    /// <summary>The reason label: a closed set, documented in README.md#metrics.</summary>
    internal static string Reason(HttpContext http) => http.Response.StatusCode switch
    {
        StatusCodes.Status400BadRequest => "invalid",
        StatusCodes.Status401Unauthorized => "unauthorized",
        StatusCodes.Status408RequestTimeout => "timeout",
        StatusCodes.Status413PayloadTooLarge => "too_large",
        StatusCodes.Status415UnsupportedMediaType => "unsupported_media_type",
        StatusCodes.Status422UnprocessableEntity => "idempotency_conflict",
        // The database handler answers 503 from an exception; the queue bound answers it directly.
        StatusCodes.Status503ServiceUnavailable => http.Features.Get<IExceptionHandlerFeature>() is null ? "queue_full" : "unavailable",
        >= 500 => "error",
        _ => "other",
    };
}
