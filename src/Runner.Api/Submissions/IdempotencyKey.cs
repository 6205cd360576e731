using Microsoft.AspNetCore.Http.HttpResults;
using Runner.Api.Storage;

namespace Runner.Api.Submissions;

/// <summary>
/// The Idempotency-Key request header: a client that did not learn whether its POST was
/// accepted (a timeout, a dropped connection, a 503) sends it again with the same key and gets
/// the first submission back instead of a second judging of the same code.
/// </summary>
public static class IdempotencyKey
{
    public const string Header = "Idempotency-Key";
    public const int MaxLength = 200;

    /// <summary>The key, null when absent; a malformed key is an error naming the header.</summary>
    public static string? Read(HttpContext http, ValidationErrors errors)
    {
        var values = http.Request.Headers[Header];
        if (values.Count == 0) return null;
        var key = values.Count == 1 ? values[0] : null;
        if (key is null || key.Length is 0 or > MaxLength || key.Any(c => c is < '!' or > '~'))
        {
            errors.Add(Header, $"must be given once, 1 to {MaxLength} visible ASCII characters (a UUID is a good key)");
            return null;
        }
        return key;
    }

    /// <summary>Whether the earlier submission holding the key was made from the same request (after defaults).</summary>
    public static bool SameRequest(SubmissionRecord earlier, SubmissionRecord repeated) =>
        StoreJson.Serialize(earlier.Input) == StoreJson.Serialize(repeated.Input);

    /// <summary>422: the key already names a different submission, so neither answer would be right.</summary>
    public static ProblemHttpResult Reused(string key) => TypedResults.Problem(
        detail: $"{Header} '{key}' was already used for a different submission; use a new key for a new submission",
        statusCode: StatusCodes.Status422UnprocessableEntity,
        title: "Idempotency key reused");
}
