using System.Text.Json;

namespace Runner.Judge.Json;

/// <summary>
/// The contract names of the judge's enums for plain-text output (the CLI's table), read from the
/// same <c>[JsonStringEnumMemberName]</c> the JSON uses, so there is no second table.
/// </summary>
public static class ContractNames
{
    public static string Name(this Verdict verdict) =>
        JsonSerializer.SerializeToElement(verdict, JudgeJsonContext.Default.Verdict).GetString()!;

    public static string Name(this CompileStatus status) =>
        JsonSerializer.SerializeToElement(status, JudgeJsonContext.Default.CompileStatus).GetString()!;
}
