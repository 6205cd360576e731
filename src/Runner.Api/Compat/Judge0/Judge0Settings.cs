namespace Runner.Api.Compat.Judge0;

/// <summary>
/// A Judge0 submission's request fields with defaults applied, kept with the submission
/// (<see cref="Judging.ExecutionInput.Origin"/>) so GET can echo them as Judge0 does.
/// </summary>
public sealed record Judge0Settings
{
    public required int LanguageId { get; init; }
    public required string LanguageName { get; init; }
    public string? CompilerOptions { get; init; }
    public string? CommandLineArguments { get; init; }
    public bool StdinGiven { get; init; }
    public required double CpuTimeLimit { get; init; }
    public required double CpuExtraTime { get; init; }
    public required double WallTimeLimit { get; init; }
    public required int MemoryLimit { get; init; }
    public required int StackLimit { get; init; }
    public required int MaxProcessesAndOrThreads { get; init; }
    public required int MaxFileSize { get; init; }
    public bool RedirectStderrToStdout { get; init; }
    public required int NumberOfRuns { get; init; }
    public string? CallbackUrl { get; init; }
}

/// <summary>Judge0 CE 1.13.1's defaults and maxima (app/helpers/config.rb), the maxima lowered to Runner's own where those are lower.</summary>
public sealed record Judge0Limits(
    double MaxCpuTimeLimit, double MaxWallTimeLimit, int MaxMemoryLimit, int MaxMaxProcesses, int MaxMaxFileSize, int MaxBatch)
{
    public const double CpuTimeLimit = 5, CpuExtraTime = 1, MaxCpuExtraTime = 5, WallTimeLimit = 10;
    public const int MemoryLimit = 128000, StackLimit = 64000, MaxStackLimit = 128000, MaxProcesses = 60, MaxFileSize = 1024;
    public const int NumberOfRuns = 1, MaxNumberOfRuns = 20;

    public static Judge0Limits For(Hosting.LimitOptions server) => new(
        Math.Min(15.0, server.MaxTime),
        Math.Min(20.0, server.MaxWallTime),
        (int)Math.Min(512000, server.MaxMemory / 1024),
        Math.Min(120, server.MaxPids),
        (int)Math.Min(4096, server.MaxOutput / 1024),
        Math.Max(1, Math.Min(20, server.MaxBatch)));
}
