using System.Text.Json;

namespace Runner.Sandbox.Json;

/// <summary>
/// The contract name of an enum value for plain-text output (the CLI's summary line), read from
/// the same <c>[JsonStringEnumMemberName]</c> the JSON uses, so there is no second table.
/// </summary>
public static class ContractNames
{
    public static string Name(this SandboxStatus status) =>
        JsonSerializer.SerializeToElement(status, SandboxJsonContext.Default.SandboxStatus).GetString()!;
}
