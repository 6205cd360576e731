using System.Text.Json;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Runner.CgroupV2.Tests;

/// <summary>
/// The real `runner` CLI inside the cgroup v2 guest, one check script per fact
/// (guest/checks/runner/*.sh). Each script runs twice in the same boot: as root, and as
/// uid 1000 from a leaf of a delegated subtree (see guest/init). The JSON fields asserted
/// here are the CLI's result contract: status, oom_killed, memory_peak (bytes),
/// cpu_time (seconds), stdout.
/// </summary>
public abstract class RunnerChecks(QemuGuestFixture guest, ITestOutputHelper output, string scenario)
{
    [Fact]
    public void A_memory_limit_ends_the_run_with_memory_limit_and_oom_killed()
    {
        var (run, json) = Run("10-memory-limit");
        Expect(Text(json, "status") == "memory_limit", "status should be memory_limit", run);
        Expect(json.TryGetProperty("oom_killed", out var oom) && oom.ValueKind == JsonValueKind.True, "oom_killed should be true", run);
    }

    [Fact]
    public void A_run_within_its_memory_limit_is_ok_and_its_memory_peak_covers_what_it_touched()
    {
        var (run, json) = Run("20-memory-peak");
        Expect(Text(json, "status") == "ok", "status should be ok", run);
        Expect(Number(json, "memory_peak") >= 16 << 20, "memory_peak should be at least the 16 MiB memhog touched", run);
        Expect(Number(json, "memory_peak") <= 64 << 20, "memory_peak should not exceed the 64M limit", run);
    }

    [Fact]
    public void A_cpu_time_limit_ends_a_spinning_run_with_time_limit_after_about_one_second_of_cpu()
    {
        var (run, json) = Run("30-time-limit");
        Expect(Text(json, "status") == "time_limit", "status should be time_limit", run);
        // Software emulation makes the supervisor's polling coarse; the bound is loose on purpose.
        Expect(Number(json, "cpu_time") is >= 0.9 and <= 2.0, "cpu_time should be about 1 s", run);
    }

    [Fact]
    public void A_pids_limit_holds_a_fork_bomb_without_an_internal_error()
    {
        var (run, json) = Run("40-pids-limit");
        Expect(Text(json, "status") != "internal_error", "a held fork bomb is not an internal error", run);
        var bomb = ForkBombReport.Parse(Text(json, "stdout") ?? "");
        Expect(bomb is not null, "the fork bomb's own summary should be in stdout", run);
        Expect(bomb is { Failed: > 0, Succeeded: < 16 }, "forks should start failing below 16 tasks", run);
    }

    [Fact]
    public void The_box_sees_itself_at_the_root_of_its_own_cgroup_namespace()
    {
        var (run, json) = Run("50-cgroup-namespace");
        Expect(Text(json, "status") == "ok", "status should be ok", run);
        Expect((Text(json, "stdout") ?? "").Trim() == "0::/", "/proc/self/cgroup in the box should read 0::/", run);
    }

    [Fact]
    public void No_box_cgroup_is_left_behind_after_the_runs()
    {
        var check = Finished("90-cleanup");
        // An engine that never created a box leaves nothing behind either; that proves nothing.
        var first = guest.Check($"{scenario}/10-memory-limit").Runner();
        if (first.Json is null)
            throw new XunitException($"Cleanup cannot be judged: runner never completed a run in this scenario ({first.JsonError}).\n{check.Text}");
        var leftovers = check.Lines.Where(l => l.StartsWith("leftover ", StringComparison.Ordinal)).ToList();
        Assert.True(leftovers.Count == 0, $"box cgroups left behind:\n{string.Join('\n', leftovers)}");
    }

    private GuestCheck Finished(string script)
    {
        guest.Report(output);
        var check = guest.Check($"{scenario}/{script}");
        output.WriteLine($"--- {check.Name} (rc={check.ExitCode})\n{check.Text}");
        return check;
    }

    private (RunnerInvocation Run, JsonElement Json) Run(string script)
    {
        var run = Finished(script).Runner();
        if (run.Json is not { } json)
            throw new XunitException(
                $"`runner run --json` gave no result in the guest ({scenario}): {run.JsonError}; exit code {run.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}.\n" +
                $"stderr:\n{run.Stderr}\nstdout:\n{run.Stdout}");
        if (json.ValueKind != JsonValueKind.Object)
            throw new XunitException($"runner's JSON result should be an object.\n{run.Stdout}");
        return (run, json);
    }

    private static string? Text(JsonElement json, string field)
        => json.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static double? Number(JsonElement json, string field)
        => json.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    private static void Expect(bool condition, string what, RunnerInvocation run)
    {
        if (!condition)
            throw new XunitException($"{what}.\nrunner exit code: {run.ExitCode}\nJSON:\n{run.Stdout}\nstderr:\n{run.Stderr}");
    }
}

/// <summary>Root launches: boxes go under /sys/fs/cgroup/runner, the engine's default parent.</summary>
[Collection(QemuGuestCollection.Name)]
public sealed class RunnerLaunchedByRootChecks(QemuGuestFixture guest, ITestOutputHelper output)
    : RunnerChecks(guest, output, "root");

/// <summary>
/// Rootless launches: uid 1000, started inside /sys/fs/cgroup/runner-user/launcher, with
/// RUNNER_CGROUP_PARENT=runner-user so boxes are created as siblings of the launcher.
/// </summary>
[Collection(QemuGuestCollection.Name)]
public sealed class RunnerLaunchedByAnUnprivilegedUserChecks(QemuGuestFixture guest, ITestOutputHelper output)
    : RunnerChecks(guest, output, "user");
