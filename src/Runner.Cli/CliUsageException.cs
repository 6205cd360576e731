namespace Runner.Cli;

/// <summary>
/// The command line is wrong. Rendered as the single line <c>runner: OPTION: MESSAGE</c>
/// (or <c>runner: MESSAGE</c> without an option) and exit status 2, so scripts can show it verbatim.
/// </summary>
internal sealed class CliUsageException(string? option, string message) : Exception(message)
{
    /// <summary>The option, command or environment variable at fault, as the user spelled it.</summary>
    public string? Option { get; } = option;

    public string ToLine() => Option is null ? $"runner: {Message}" : $"runner: {Option}: {Message}";
}
