using System.Text;
using System.Text.Json;
using Runner.Sandbox;
using Runner.Sandbox.Json;
using Runner.Sandbox.Launch;

namespace Runner.Cli.Tests;

public class ResultJsonTests
{
    private static string Json(SandboxResult result)
    {
        using var buffer = new MemoryStream();
        ResultJson.Write(buffer, result);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static readonly SandboxResult TimeLimit = new()
    {
        Status = SandboxStatus.TimeLimit,
        Signal = 9,
        CpuTime = 1.0024999,
        UserTime = 0.9,
        SystemTime = 0.1024999,
        WallTime = 1.01,
        MemoryPeak = 1_258_291,
        OomKilled = false,
        Stdout = "partial\n",
        Stderr = "",
        StdoutTruncated = true,
        Message = "CPU time limit of 1s exceeded",
        FailedStep = LaunchStep.Execve,
        StdoutBytes = [1, 2, 3],
    };

    [Fact]
    public void Keys_are_snake_case_in_the_documented_order_and_nothing_else()
    {
        using var doc = JsonDocument.Parse(Json(TimeLimit));
        Assert.Equal(
            ["status", "exit_code", "signal", "cpu_time", "user_time", "system_time", "wall_time", "memory_peak",
             "oom_killed", "stdout", "stderr", "stdout_truncated", "stderr_truncated", "message"],
            doc.RootElement.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void The_object_is_one_line_terminated_by_a_newline()
    {
        var json = Json(TimeLimit with { Stdout = "a\nb\n" });
        Assert.EndsWith("}\n", json);
        Assert.Single(json.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Absent_exit_code_signal_and_memory_peak_are_json_null()
    {
        using var doc = JsonDocument.Parse(Json(new() { Status = SandboxStatus.InternalError, Message = "x" }));
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("exit_code").ValueKind);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("signal").ValueKind);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("memory_peak").ValueKind);
    }

    [Fact]
    public void Times_and_sizes_are_numbers_with_times_rounded_to_microseconds()
    {
        using var doc = JsonDocument.Parse(Json(TimeLimit with { ExitCode = 3 }));
        var root = doc.RootElement;
        Assert.Equal(JsonValueKind.Number, root.GetProperty("cpu_time").ValueKind);
        Assert.Equal(1.0025, root.GetProperty("cpu_time").GetDouble());
        Assert.Equal(0.1025, root.GetProperty("system_time").GetDouble());
        Assert.Equal(1.01, root.GetProperty("wall_time").GetDouble());
        Assert.Equal(1_258_291, root.GetProperty("memory_peak").GetInt64());
        Assert.Equal(3, root.GetProperty("exit_code").GetInt32());
        Assert.Equal(9, root.GetProperty("signal").GetInt32());
        Assert.Equal(JsonValueKind.False, root.GetProperty("oom_killed").ValueKind);
        Assert.Equal(JsonValueKind.True, root.GetProperty("stdout_truncated").ValueKind);
    }

    [Fact]
    public void A_non_finite_time_becomes_zero_rather_than_invalid_json()
    {
        using var doc = JsonDocument.Parse(Json(TimeLimit with { WallTime = double.NaN }));
        Assert.Equal(0, doc.RootElement.GetProperty("wall_time").GetDouble());
    }

    [Fact]
    public void Program_output_round_trips_exactly_including_quotes_controls_and_non_ascii()
    {
        const string text = "<a href=\"x\">é 漢字 \u0001\ttab\\ 🎉</a>\n";
        var json = Json(TimeLimit with { Stdout = text });
        Assert.Contains("é 漢字", json);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(text, doc.RootElement.GetProperty("stdout").GetString());
    }

    [Theory]
    [InlineData(SandboxStatus.Ok, "ok")]
    [InlineData(SandboxStatus.RuntimeError, "runtime_error")]
    [InlineData(SandboxStatus.Signaled, "signaled")]
    [InlineData(SandboxStatus.TimeLimit, "time_limit")]
    [InlineData(SandboxStatus.WallTimeLimit, "wall_time_limit")]
    [InlineData(SandboxStatus.MemoryLimit, "memory_limit")]
    [InlineData(SandboxStatus.OutputLimit, "output_limit")]
    [InlineData(SandboxStatus.InternalError, "internal_error")]
    public void Each_status_has_its_contract_name(SandboxStatus status, string name)
    {
        using var doc = JsonDocument.Parse(Json(new() { Status = status, Message = "" }));
        Assert.Equal(name, doc.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public void Every_engine_status_has_a_contract_name()
    {
        foreach (var status in Enum.GetValues<SandboxStatus>())
            Assert.Matches("^[a-z_]+$", status.Name());
    }

    [Fact]
    public void The_summary_line_names_each_status_as_the_json_does()
    {
        foreach (var status in Enum.GetValues<SandboxStatus>())
        {
            using var doc = JsonDocument.Parse(Json(new() { Status = status, Message = "" }));
            Assert.Equal(doc.RootElement.GetProperty("status").GetString(), status.Name());
        }
    }
}
