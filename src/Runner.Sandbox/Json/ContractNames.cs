using System.Text.Json;

namespace Runner.Sandbox.Json;

/// <summary>
/// The contract name of an enum value for plain-text output (the CLI's summary line) and metric
/// tags. The JSON's names (<c>[JsonStringEnumMemberName]</c> on <see cref="SandboxStatus"/>) are
/// the members' snake_case, and a test holds the two together. Not through the JSON context:
/// building its enum converter costs a one-shot <c>runner run</c> about 8 % of its CPU (perf).
/// </summary>
public static class ContractNames
{
    private static readonly string[] StatusNames =
        [.. Enum.GetNames<SandboxStatus>().Select(JsonNamingPolicy.SnakeCaseLower.ConvertName)];

    public static string Name(this SandboxStatus status) => StatusNames[(int)status];
}
