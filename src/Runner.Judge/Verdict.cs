using System.Text.Json.Serialization;

namespace Runner.Judge;

/// <summary>
/// The judge's verdicts; README.md#verdicts documents each as a contract. The snake_case
/// names below are that contract, for <c>runner judge --json</c> and the API alike.
/// </summary>
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
    /// <summary>The judge, the sandbox or the checker failed: never a verdict against the submission.</summary>
    [JsonStringEnumMemberName("internal_error")] InternalError,
    /// <summary>The service stopped judging it on request (DELETE); the judge itself never reports it.</summary>
    [JsonStringEnumMemberName("cancelled")] Cancelled,
}
