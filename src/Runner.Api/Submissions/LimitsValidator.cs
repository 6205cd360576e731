using System.Globalization;
using Runner.Api.Contracts;
using Runner.Api.Hosting;
using Runner.Api.Storage;
using Runner.Sandbox;

namespace Runner.Api.Submissions;

/// <summary>
/// Applies defaults to requested limits and refuses any above the server's maxima. The floors
/// (above 0 s, at least 1M, ...) are the engine's own rules, asked of <see cref="SandboxLimits.Validate"/>
/// so they are written once.
/// </summary>
public static class LimitsValidator
{
    public static JudgeLimits Resolve(LimitsRequest? requested, LimitOptions server, string prefix, ValidationErrors errors)
    {
        var r = requested ?? new LimitsRequest();
        var time = r.Time ?? server.DefaultTime;
        var wall = r.WallTime ?? Math.Min(2 * time + 1, server.MaxWallTime);
        var memory = r.Memory ?? server.DefaultMemory;
        var pids = r.Pids ?? server.DefaultPids;
        var output = r.Output ?? server.DefaultOutput;

        if (time > server.MaxTime) errors.Add($"{prefix}.time", $"must be at most the server maximum of {F(server.MaxTime)} s");
        else Floor(new SandboxLimits { CpuTimeSeconds = time }, $"{prefix}.time", errors);
        if (wall > server.MaxWallTime) errors.Add($"{prefix}.wall_time", $"must be at most the server maximum of {F(server.MaxWallTime)} s");
        else Floor(new SandboxLimits { WallTimeSeconds = wall }, $"{prefix}.wall_time", errors);
        if (memory > server.MaxMemory) errors.Add($"{prefix}.memory", $"must be at most the server maximum of {server.MaxMemory} bytes");
        else Floor(new SandboxLimits { MemoryBytes = memory }, $"{prefix}.memory", errors);
        if (pids > server.MaxPids) errors.Add($"{prefix}.pids", $"must be at most the server maximum of {server.MaxPids}");
        else Floor(new SandboxLimits { Pids = pids }, $"{prefix}.pids", errors);
        if (output > server.MaxOutput) errors.Add($"{prefix}.output", $"must be at most the server maximum of {server.MaxOutput} bytes");
        else Floor(new SandboxLimits { OutputBytes = output }, $"{prefix}.output", errors);
        return new JudgeLimits(time, wall, memory, pids, output);
    }

    /// <summary>One limit against the engine's rules, the others left at the engine's (valid) defaults, so every bad field is named.</summary>
    private static void Floor(SandboxLimits one, string field, ValidationErrors errors)
    {
        try
        {
            one.Validate();
        }
        catch (SandboxSpecException e)
        {
            errors.Add(field, e.Message);
        }
    }

    private static string F(double v) => v.ToString(CultureInfo.InvariantCulture);
}
