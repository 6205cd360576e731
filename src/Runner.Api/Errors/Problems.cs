using Microsoft.AspNetCore.Http.HttpResults;
using Runner.Api.Submissions;

namespace Runner.Api.Errors;

/// <summary>The RFC 7807 answers the API gives, in one place so their wording stays consistent.</summary>
public static class Problems
{
    public static ValidationProblem Invalid(ValidationErrors errors)
    {
        var dict = errors.ToDictionary();
        var first = dict.First();
        return TypedResults.ValidationProblem(dict,
            detail: $"{first.Key}: {first.Value[0]}",
            title: "The request has invalid fields");
    }

    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static ProblemHttpResult RunsFull(HttpContext http, int retryAfterSeconds, int bound)
    {
        http.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(
            detail: $"This server already holds {bound} runs (Runner:Queue:MaxPendingRuns); retry later.",
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "Too many runs");
    }

    public static ProblemHttpResult QueueFull(HttpContext http, int retryAfterSeconds)
    {
        http.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(
            detail: "The judge queue is over its configured bound; retry later.",
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "Queue full");
    }
}
