using Runner.Sandbox;

namespace Runner.Cli;

/// <summary>The exit statuses of <c>runner</c>; part of the documented contract.</summary>
internal static class ExitCodes
{
    /// <summary>The program ran and exited 0 within every limit.</summary>
    public const int Ok = 0;

    /// <summary>The program failed or hit a limit; the verdict is in the status.</summary>
    public const int ProgramFailed = 1;

    /// <summary>Bad command line or Runner itself failed; the program's verdict is unknown.</summary>
    public const int UsageOrInternal = 2;

    public static int For(SandboxStatus status) => status switch
    {
        SandboxStatus.Ok => Ok,
        SandboxStatus.InternalError => UsageOrInternal,
        _ => ProgramFailed,
    };
}
