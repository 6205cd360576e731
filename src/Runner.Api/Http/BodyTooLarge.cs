using Microsoft.AspNetCore.Http.Features;

namespace Runner.Api.Http;

/// <summary>
/// The 413 for a body over its endpoint's cap names the cap. Kestrel refuses such a body on the
/// first read (from Content-Length, before buffering anything), and the framework then answers
/// a bare status that the problem details service fills in here.
/// </summary>
public static class BodyTooLarge
{
    public static void Describe(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (problem.Status != StatusCodes.Status413PayloadTooLarge || problem.Detail is not null) return;
        var max = context.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
        var message = max is { } m ? $"is larger than this endpoint's maximum of {m} bytes" : "is larger than this endpoint accepts";
        problem.Title = "The request body is too large";
        problem.Detail = $"body: {message}";
        problem.Extensions["errors"] = new Dictionary<string, string[]> { ["body"] = [message] };
    }
}
