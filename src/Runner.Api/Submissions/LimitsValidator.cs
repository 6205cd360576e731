using System.Globalization;
using Runner.Api.Contracts;
using Runner.Api.Hosting;
using Runner.Api.Storage;

namespace Runner.Api.Submissions;

/// <summary>Applies defaults to requested limits and refuses any above the server's maxima.</summary>
public static class LimitsValidator
{
    public static JudgeLimits Resolve(LimitsRequest? requested, LimitOptions server, string prefix, ValidationErrors errors)
    {
        var r = requested ?? new LimitsRequest();
        var time = r.Time ?? server.DefaultTime;
        if (!(time > 0) || time > server.MaxTime)
            errors.Add($"{prefix}.time", $"must be above 0 and at most the server maximum of {F(server.MaxTime)} s");
        var wall = r.WallTime ?? Math.Min(2 * time + 1, server.MaxWallTime);
        if (!(wall > 0) || wall > server.MaxWallTime)
            errors.Add($"{prefix}.wall_time", $"must be above 0 and at most the server maximum of {F(server.MaxWallTime)} s");
        var memory = r.Memory ?? server.DefaultMemory;
        if (memory < (1L << 20) || memory > server.MaxMemory)
            errors.Add($"{prefix}.memory", $"must be between 1048576 and the server maximum of {server.MaxMemory} bytes");
        var pids = r.Pids ?? server.DefaultPids;
        if (pids < 1 || pids > server.MaxPids)
            errors.Add($"{prefix}.pids", $"must be between 1 and the server maximum of {server.MaxPids}");
        var output = r.Output ?? server.DefaultOutput;
        if (output < 1 || output > server.MaxOutput)
            errors.Add($"{prefix}.output", $"must be between 1 and the server maximum of {server.MaxOutput} bytes");
        return new JudgeLimits(time, wall, memory, pids, output);
    }

    private static string F(double v) => v.ToString(CultureInfo.InvariantCulture);
}
