using Microsoft.AspNetCore.Http.Metadata;
using Runner.Api.Hosting;

namespace Runner.Api.Http;

/// <summary>
/// Per-endpoint request body caps, applied by endpoint routing before the body is read: a body
/// whose Content-Length is over the cap is refused (413, see BadRequestExceptionHandler)
/// without being buffered. Each cap is twice the largest valid content plus 1 MiB, so content
/// at the documented maxima always fits, even written with JSON escapes.
/// </summary>
public sealed record BodySizeLimit(long? MaxRequestBodySize) : IRequestSizeLimitMetadata
{
    private const long Slack = 1L << 20;

    /// <summary>One submission (or a batch): source and checker or interactor source (never both), plus the test data.</summary>
    public static long Submission(LimitOptions l) => 2 * (2L * l.MaxSourceBytes + l.MaxTestsBytes) + Slack;

    /// <summary>One run: files (base64 is 4/3 of the bytes) plus stdin.</summary>
    public static long Run(LimitOptions l) => 2 * (l.MaxRunFilesBytes * 4 / 3 + l.MaxTestsBytes) + Slack;
}
