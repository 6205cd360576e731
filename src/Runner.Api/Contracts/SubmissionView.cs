using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using Runner.Judge;
using Runner.Judge.Json;

namespace Runner.Api.Contracts;

/// <summary>queued (waiting for a worker), running (a worker holds it), finished (verdict stored).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SubmissionStatus>))]
public enum SubmissionStatus
{
    [JsonStringEnumMemberName("queued")] Queued,
    [JsonStringEnumMemberName("running")] Running,
    [JsonStringEnumMemberName("finished")] Finished,
}

/// <summary>202 answer to a POST: where to poll.</summary>
public sealed record SubmissionAccepted(Guid Id, SubmissionStatus Status);

/// <summary>A submission as GET returns it. Result fields are null until it is finished.</summary>
public sealed record SubmissionView
{
    public required Guid Id { get; init; }
    public required SubmissionStatus Status { get; init; }
    public required string Language { get; init; }

    /// <summary>The problem and the version that judges (or judged) it; null for a submission that brought its own tests.</summary>
    public StoredProblems.ProblemRef? Problem { get; init; }
    public Verdict? Verdict { get; init; }
    public double? Score { get; init; }
    public CompileView? Compile { get; init; }
    public IReadOnlyList<TestJson>? Tests { get; init; }

    /// <summary>Per group (subtask), when the submission or its problem has groups: score, status and first failing test.</summary>
    public IReadOnlyList<GroupJson>? Groups { get; init; }

    /// <summary>While running: what the worker is doing now.</summary>
    public ProgressView? Progress { get; init; }

    /// <summary>Why an internal_error happened, or other notes on the whole submission.</summary>
    public string? Message { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>How many times a worker started judging it: 1 normally, more when a worker died or lost its claim mid-job.</summary>
    public int Attempts { get; init; }
}

/// <summary>
/// The judge's compile record plus <c>success</c>, which predates <c>status</c> and stays for v1
/// clients (deprecated: read <c>status</c>). Null in a submission when there is no compile step.
/// </summary>
public sealed record CompileView : CompileJson
{
    [JsonPropertyOrder(7)] public required bool Success { get; init; }

    public static new CompileView From(CompileReport c) =>
        new(CompileJson.From(c)) { Success = c.Status == CompileStatus.Succeeded };

    [SetsRequiredMembers]
    private CompileView(CompileJson compile) : base(compile)
    {
    }

    /// <summary>The serializer's constructor; with it the required fields stay required in the OpenAPI document.</summary>
    [JsonConstructor]
    public CompileView()
    {
    }
}

/// <summary>Progress of a running submission: "starting" (claimed), "compiling", or "testing" with the current test.</summary>
public sealed record ProgressView(string Phase, string? Test, int? TestIndex, int? TestCount)
{
    /// <summary>What the claim itself stores, so a running submission always shows progress without a write of its own.</summary>
    public static readonly ProgressView Starting = new("starting", null, null, null);
}

/// <summary>Batch POST answer: one entry per submitted item, in order.</summary>
public sealed record BatchAccepted(IReadOnlyList<SubmissionAccepted> Submissions);

/// <summary>The body of POST /api/v1/submissions/batch.</summary>
public sealed record BatchRequest
{
    /// <summary>Submissions, validated together: one bad item refuses the batch, naming it (submissions[1].language).</summary>
    [System.ComponentModel.DataAnnotations.Required]
    public IReadOnlyList<SubmissionRequest>? Submissions { get; init; }
}

/// <summary>GET /api/v1/submissions/batch: the submissions in the order asked.</summary>
public sealed record BatchView(IReadOnlyList<SubmissionView> Submissions);
