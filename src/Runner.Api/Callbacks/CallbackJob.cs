using System.Security.Cryptography;
using System.Text;
using Hangfire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Runner.Api.Hosting;
using Runner.Api.Storage;

namespace Runner.Api.Callbacks;

/// <summary>
/// POSTs a finished submission (the same JSON as GET /api/v1/submissions/{id}) to its
/// callback_url. The body is signed: X-Runner-Signature: sha256=HEX(HMAC-SHA256(secret, body)).
/// Retries with exponential backoff on network errors and non-2xx answers. Delivery is
/// at-least-once; X-Runner-Submission lets receivers deduplicate.
/// </summary>
public sealed class CallbackJob(
    ISubmissionStore store,
    IHttpClientFactory httpFactory,
    CallbackPolicy policy,
    IOptions<RunnerOptions> options,
    ILogger<CallbackJob> logger)
{
    public const string Queue = "callbacks";
    public const string SignatureHeader = "X-Runner-Signature";
    public const string HttpClientName = "runner-callbacks";

    [Queue(Queue)]
    [AutomaticRetry(Attempts = 0)]
    public async Task SendAsync(Guid submissionId, CancellationToken ct)
    {
        var submission = await store.GetAsync(submissionId, ct);
        if (submission?.Input.CallbackUrl is not { } url) return;
        if (policy.Check(url) is { } refused)
        {
            logger.LogWarning("Callback for {Id} not sent: {Reason}", submissionId, refused);
            return;
        }

        var o = options.Value.Callbacks;
        // A Judge0 submission's callback is Judge0's: PUT with its default fields, always base64.
        var judge0 = Compat.Judge0.Judge0View.CallbackBody(submission);
        var body = judge0 ?? StoreJson.Serialize(submission.ToView());
        var signature = Sign(body, o.Secret);
        var http = httpFactory.CreateClient(HttpClientName);
        http.Timeout = TimeSpan.FromSeconds(o.TimeoutSeconds);
        var delay = TimeSpan.FromSeconds(o.FirstBackoffSeconds);
        for (var attempt = 1; attempt <= o.Attempts; attempt++)
        {
            try
            {
                using var request = new HttpRequestMessage(judge0 is null ? HttpMethod.Post : HttpMethod.Put, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                request.Headers.Add("X-Runner-Submission", submissionId.ToString());
                if (signature is not null) request.Headers.Add(SignatureHeader, signature);
                using var response = await http.SendAsync(request, ct);
                if (response.IsSuccessStatusCode)
                {
                    logger.LogInformation("Callback for {Id} delivered on attempt {Attempt}", submissionId, attempt);
                    return;
                }
                logger.LogWarning("Callback for {Id} attempt {Attempt} got HTTP {Status}", submissionId, attempt, (int)response.StatusCode);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                logger.LogWarning("Callback for {Id} attempt {Attempt} failed: {Error}", submissionId, attempt, e.Message);
            }
            if (attempt < o.Attempts)
            {
                await Task.Delay(delay, ct);
                delay *= 2;
            }
        }
        logger.LogError("Callback for {Id} to {Url} failed after {Attempts} attempts", submissionId, url, o.Attempts);
    }

    public static string? Sign(string body, string? secret) => string.IsNullOrEmpty(secret)
        ? null
        : "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));
}
