using Runner.Judge.Json;

namespace Runner.Api.Contracts;

/// <summary>The <c>event:</c> names of GET /api/v1/submissions/{id}/events, in the order they come.</summary>
public static class SubmissionEventType
{
    public const string Queued = "queued";
    public const string Compiling = "compiling";
    public const string Compiled = "compiled";
    public const string Test = "test";
    public const string Finished = "finished";
}

/// <summary>One stored event: its id (the SSE <c>id:</c>, 1-based, per submission), its type and its JSON data (null for finished).</summary>
public sealed record SubmissionEvent(long Id, string Type, string? Data);

/// <summary>An event a worker is about to store; the store numbers it.</summary>
public sealed record NewSubmissionEvent(string Type, string Data);

/// <summary>Data of <c>queued</c>: the submission exists.</summary>
public sealed record QueuedEventData(Guid Id, string Language, DateTimeOffset CreatedAt);

/// <summary>Data of <c>compiling</c>: a worker started judging; attempt is above 1 when an earlier worker died mid-job and it starts again.</summary>
public sealed record CompilingEventData(int Attempt);

/// <summary>Data of <c>compiled</c>: the compile step, null when the language has none.</summary>
public sealed record CompiledEventData(CompileView? Compile);

/// <summary>Data of <c>test</c>: one finished test, as the submission's <c>tests[]</c> will hold it.</summary>
public sealed record TestEventData(int Index, int Count, TestJson Test);
