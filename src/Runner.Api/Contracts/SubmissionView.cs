using System.Text.Json.Serialization;

namespace Runner.Api.Contracts;

[JsonConverter(typeof(JsonStringEnumConverter<SubmissionStatus>))]
public enum SubmissionStatus
{
    [JsonStringEnumMemberName("queued")] Queued,
    [JsonStringEnumMemberName("running")] Running,
    [JsonStringEnumMemberName("finished")] Finished,
}

[JsonConverter(typeof(JsonStringEnumConverter<Verdict>))]
public enum Verdict
{
    [JsonStringEnumMemberName("accepted")] Accepted,
    [JsonStringEnumMemberName("wrong_answer")] WrongAnswer,
    [JsonStringEnumMemberName("time_limit_exceeded")] TimeLimitExceeded,
    [JsonStringEnumMemberName("memory_limit_exceeded")] MemoryLimitExceeded,
    [JsonStringEnumMemberName("output_limit_exceeded")] OutputLimitExceeded,
    [JsonStringEnumMemberName("runtime_error")] RuntimeError,
    [JsonStringEnumMemberName("compilation_error")] CompilationError,
    [JsonStringEnumMemberName("internal_error")] InternalError,
}

/// <summary>202 answer to a POST: where to poll.</summary>
public sealed record SubmissionAccepted(Guid Id, SubmissionStatus Status);

/// <summary>A submission as GET returns it. Result fields are null until it is finished.</summary>
public sealed record SubmissionView
{
    public required Guid Id { get; init; }
    public required SubmissionStatus Status { get; init; }
    public required string Language { get; init; }
    public Verdict? Verdict { get; init; }
    public double? Score { get; init; }
    public CompileView? Compile { get; init; }
    public IReadOnlyList<TestView>? Tests { get; init; }

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

/// <summary>The compile step; null for interpreted languages.</summary>
public sealed record CompileView(bool Success, string Output, double CpuTime, double WallTime, int? ExitCode, string Message);

/// <summary>One test's outcome. Times in seconds, memory in bytes.</summary>
public sealed record TestView(
    string Name,
    Verdict Verdict,
    double CpuTime,
    double WallTime,
    long? MemoryPeak,
    int? ExitCode,
    int? Signal,
    string Message,
    string OutputExcerpt);

/// <summary>Progress of a running submission: "compiling", or "testing" with the current test.</summary>
public sealed record ProgressView(string Phase, string? Test, int? TestIndex, int? TestCount);

/// <summary>Batch POST answer: one entry per submitted item, in order.</summary>
public sealed record BatchAccepted(IReadOnlyList<SubmissionAccepted> Submissions);

public sealed record BatchRequest
{
    public IReadOnlyList<SubmissionRequest>? Submissions { get; init; }
}

public sealed record BatchView(IReadOnlyList<SubmissionView> Submissions);
