using System.Text.Json.Serialization;
using Runner.Judge.Groups;
using Runner.Sandbox.Json;

namespace Runner.Judge.Json;

/// <summary>
/// The wire form of a <see cref="JudgeReport"/>: what <c>runner judge --json</c> prints
/// (README.md, "Report (`--json`)"). The API serves its compile and test records inside a
/// submission. Explicit orders pin the documented key order.
/// </summary>
public sealed record JudgeReportJson
{
    [JsonPropertyOrder(0)] public required Verdict Verdict { get; init; }
    [JsonPropertyOrder(1)] public required JudgeScoreJson Score { get; init; }
    [JsonPropertyOrder(2)] public required CompileJson Compile { get; init; }
    [JsonPropertyOrder(3)] public required IReadOnlyList<TestJson> Tests { get; init; }
    [JsonPropertyOrder(4)] public required string Message { get; init; }

    /// <summary>Present only when the request had groups.</summary>
    [JsonPropertyOrder(5)]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<GroupJson>? Groups { get; init; }

    public static JudgeReportJson From(JudgeReport r) => new()
    {
        Verdict = r.Verdict,
        Score = new JudgeScoreJson(r.Score.Passed, r.Score.Total, JsonRounding.Round(r.Score.Points)),
        Compile = CompileJson.From(r.Compile),
        Tests = r.Tests.Select(TestJson.From).ToList(),
        Message = r.Message,
        Groups = r.Groups?.Select(GroupJson.From).ToList(),
    };
}

/// <summary>One group's outcome: what it is worth, what it earned, and the first test that failed it.</summary>
public sealed record GroupJson
{
    [JsonPropertyOrder(0)] public required string Name { get; init; }
    [JsonPropertyOrder(1)] public required GroupScoring Scoring { get; init; }
    [JsonPropertyOrder(2)] public required GroupStatus Status { get; init; }
    [JsonPropertyOrder(3)] public required double Points { get; init; }
    [JsonPropertyOrder(4)] public required double Score { get; init; }
    [JsonPropertyOrder(5)] public required string? FirstFailure { get; init; }
    [JsonPropertyOrder(6)] public required string Message { get; init; }

    public static GroupJson From(GroupReport g) => new()
    {
        Name = g.Name,
        Scoring = g.Scoring,
        Status = g.Status,
        Points = JsonRounding.Round(g.Points),
        Score = JsonRounding.Round(g.Score),
        FirstFailure = g.FirstFailure,
        Message = g.Message,
    };
}

public sealed record JudgeScoreJson(
    [property: JsonPropertyOrder(0)] int Passed,
    [property: JsonPropertyOrder(1)] int Total,
    [property: JsonPropertyOrder(2)] double Points);

/// <summary>The compile step. Not sealed: the API appends its deprecated <c>success</c>.</summary>
/// <summary>
/// The compile step. Not sealed: the API appends its deprecated <c>success</c>. Status and
/// memory_peak are not required so results stored before they existed still read.
/// </summary>
public record CompileJson
{
    [JsonPropertyOrder(0)] public CompileStatus Status { get; init; }
    [JsonPropertyOrder(1)] public required string Output { get; init; }
    [JsonPropertyOrder(2)] public required double CpuTime { get; init; }
    [JsonPropertyOrder(3)] public required double WallTime { get; init; }
    [JsonPropertyOrder(4)] public long? MemoryPeak { get; init; }
    [JsonPropertyOrder(5)] public required int? ExitCode { get; init; }
    [JsonPropertyOrder(6)] public required string Message { get; init; }

    public static CompileJson From(CompileReport c) => new()
    {
        Status = c.Status,
        Output = c.Output,
        CpuTime = JsonRounding.Round(c.CpuTime),
        WallTime = JsonRounding.Round(c.WallTime),
        MemoryPeak = c.MemoryPeak,
        ExitCode = c.ExitCode,
        Message = c.Message,
    };
}

/// <summary>One test's outcome. Times in seconds, memory in bytes. Score is not required so results stored before it existed still read.</summary>
public sealed record TestJson
{
    [JsonPropertyOrder(0)] public required string Name { get; init; }
    [JsonPropertyOrder(1)] public required Verdict Verdict { get; init; }
    [JsonPropertyOrder(2)] public double Score { get; init; }
    [JsonPropertyOrder(3)] public required double CpuTime { get; init; }
    [JsonPropertyOrder(4)] public required double WallTime { get; init; }
    [JsonPropertyOrder(5)] public required long? MemoryPeak { get; init; }
    [JsonPropertyOrder(6)] public required int? ExitCode { get; init; }
    [JsonPropertyOrder(7)] public required int? Signal { get; init; }
    [JsonPropertyOrder(8)] public required string Message { get; init; }
    [JsonPropertyOrder(9)] public required string OutputExcerpt { get; init; }

    public static TestJson From(TestReport t) => new()
    {
        Name = t.Name,
        Verdict = t.Verdict,
        Score = JsonRounding.Round(t.Score),
        CpuTime = JsonRounding.Round(t.CpuTime),
        WallTime = JsonRounding.Round(t.WallTime),
        MemoryPeak = t.MemoryPeak,
        ExitCode = t.ExitCode,
        Signal = t.Signal,
        Message = t.Message,
        OutputExcerpt = t.OutputExcerpt,
    };
}

/// <summary>Source-generated, so the NativeAOT CLI serializes without reflection.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(JudgeReportJson))]
[JsonSerializable(typeof(Verdict))]
[JsonSerializable(typeof(CompileStatus))]
[JsonSerializable(typeof(GroupScoring))]
[JsonSerializable(typeof(GroupStatus))]
public sealed partial class JudgeJsonContext : JsonSerializerContext;
