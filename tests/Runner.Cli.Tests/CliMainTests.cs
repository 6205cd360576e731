using System.Text.Json;
using Runner.Sandbox;

namespace Runner.Cli.Tests;

public class CliMainTests
{
    private readonly TestCli cli = new();

    [Fact]
    public void No_command_is_a_usage_error_on_one_line()
    {
        Assert.Equal(2, cli.Run());
        Assert.Equal("runner: missing command; try 'runner --help'\n", cli.Stderr);
        Assert.Empty(cli.StdoutBytes);
    }

    [Fact]
    public void An_unknown_command_is_a_usage_error_naming_it()
    {
        Assert.Equal(2, cli.Run("exec", "--", "p"));
        Assert.Equal("runner: exec: unknown command; expected 'run', 'judge', 'languages', 'check', 'setup' or 'engine'\n", cli.Stderr);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    public void Help_prints_usage_on_stdout_and_succeeds(string flag)
    {
        Assert.Equal(0, cli.Run(flag));
        Assert.StartsWith("Usage:", cli.Stdout);
        Assert.Contains("RUNNER_CGROUP_PARENT", cli.Stdout);
        Assert.Contains("RUNNER_FIRST_UID", cli.Stdout);
        Assert.Contains("RUNNER_SLOTS", cli.Stdout);
        Assert.Contains("RUNNER_STATE_DIR", cli.Stdout);
        Assert.Contains("RUNNER_LAUNCHER", cli.Stdout);
        Assert.Empty(cli.Stderr);
    }

    [Fact]
    public void Run_help_prints_usage_without_running_anything()
    {
        Assert.Equal(0, cli.Run("run", "--help"));
        Assert.Contains("--output-limit", cli.Stdout);
        Assert.Null(cli.LastSpec);
    }

    [Fact]
    public void Version_prints_one_line()
    {
        Assert.Equal(0, cli.Run("--version"));
        Assert.Matches(@"^runner \S+\n$", cli.Stdout);
    }

    [Fact]
    public void A_bad_option_exits_2_with_exactly_one_line_and_runs_nothing()
    {
        Assert.Equal(2, cli.Run("run", "--json", "--memory", "abc", "--", "p"));
        Assert.Equal("runner: --memory: expected a size like 256M or 1G, got 'abc'\n", cli.Stderr);
        Assert.Empty(cli.StdoutBytes);
        Assert.Null(cli.LastSpec);
    }

    [Theory]
    [InlineData("--time", "100000", "runner: --time: ")]
    [InlineData("--wall-time", "100000", "runner: --wall-time: ")]
    [InlineData("--memory", "1K", "runner: --memory: ")]
    [InlineData("--pids", "0", "runner: --pids: ")]
    [InlineData("--open-files", "2", "runner: --open-files: ")]
    [InlineData("--stack", "1K", "runner: --stack: ")]
    [InlineData("--tmpfs-size", "1K", "runner: --tmpfs-size: ")]
    [InlineData("--hostname", "", "runner: --hostname: ")]
    [InlineData("--bind", "/definitely/not/here", "runner: --bind: ")]
    [InlineData("--bind", "/tmp:rel", "runner: --bind: ")]
    public void Values_the_engine_rejects_exit_2_naming_the_option(string option, string value, string prefix)
    {
        Assert.Equal(2, cli.Run("run", option, value, "--", "p"));
        Assert.StartsWith(prefix, cli.Stderr);
        Assert.Single(cli.StderrLines);
        Assert.Null(cli.LastSpec);
    }

    [Fact]
    public void A_spec_exception_thrown_by_the_engine_exits_2_naming_the_field_as_an_option()
    {
        cli.EngineThrows = new SandboxSpecException("output_limit", "too big\nfor this host");
        Assert.Equal(2, cli.Run("run", "--json", "--", "p"));
        Assert.Equal("runner: --output-limit: too big for this host\n", cli.Stderr);
        Assert.Empty(cli.StdoutBytes);
    }

    [Fact]
    public void The_parsed_spec_and_environment_options_reach_the_engine()
    {
        cli.Environment["RUNNER_CGROUP_PARENT"] = "judge";
        cli.Environment["RUNNER_FIRST_UID"] = "200000";
        cli.Environment["RUNNER_SLOTS"] = "8";
        cli.Environment["RUNNER_STATE_DIR"] = "/var/lib/runner";
        Assert.Equal(0, cli.Run("run", "--time", "2", "--", "/bin/echo", "hi"));
        Assert.Equal(["/bin/echo", "hi"], cli.LastSpec!.Argv);
        Assert.Equal(2, cli.LastSpec.Limits.CpuTimeSeconds);
        Assert.Equal(
            new SandboxOptions { CgroupParent = "judge", FirstBoxUid = 200_000, SlotCount = 8, StateDirectory = "/var/lib/runner" },
            cli.LastOptions);
    }

    [Theory]
    [InlineData("RUNNER_SLOTS", "0")]
    [InlineData("RUNNER_SLOTS", "many")]
    [InlineData("RUNNER_FIRST_UID", "-5")]
    [InlineData("RUNNER_STATE_DIR", "relative/dir")]
    [InlineData("RUNNER_LAUNCHER", "zygote")]
    public void A_bad_environment_setting_exits_2_naming_the_variable(string name, string value)
    {
        cli.Environment[name] = value;
        Assert.Equal(2, cli.Run("run", "--", "p"));
        Assert.StartsWith($"runner: {name}: ", cli.Stderr);
        Assert.Single(cli.StderrLines);
    }

    [Fact]
    public void Plain_output_relays_the_program_streams_then_one_summary_line()
    {
        cli.Result = new SandboxResult
        {
            Status = SandboxStatus.TimeLimit,
            Signal = 9,
            CpuTime = 1.0021,
            WallTime = 1.0104,
            MemoryPeak = 1_258_291,
            Stdout = "ignored when bytes exist",
            StdoutBytes = [0xff, 0x00, (byte)'x'],
            Stderr = "warning: slow",
            Message = "CPU time limit of 1s exceeded",
        };
        Assert.Equal(1, cli.Run("run", "--time", "1", "--", "p"));
        Assert.Equal(new byte[] { 0xff, 0x00, (byte)'x' }, cli.StdoutBytes);
        Assert.Equal(
            "warning: slow\n" +
            "runner: status=time_limit cpu=1.002s wall=1.010s mem=1.2MiB exit=- signal=9 (CPU time limit of 1s exceeded)\n",
            cli.Stderr);
    }

    [Fact]
    public void Plain_output_falls_back_to_the_decoded_stdout_and_marks_truncation()
    {
        cli.Result = new SandboxResult
        {
            Status = SandboxStatus.OutputLimit,
            ExitCode = null,
            Signal = 9,
            Stdout = "héllo\n",
            StdoutTruncated = true,
            Message = "",
        };
        Assert.Equal(1, cli.Run("run", "--", "p"));
        Assert.Equal("héllo\n", cli.Stdout);
        Assert.Equal(
            "runner: status=output_limit cpu=0.000s wall=0.000s mem=- exit=- signal=9 stdout=truncated\n",
            cli.Stderr);
    }

    [Fact]
    public void Json_output_is_exactly_one_object_on_stdout_and_nothing_on_stderr()
    {
        cli.Result = new SandboxResult { Status = SandboxStatus.RuntimeError, ExitCode = 3, Stderr = "boom", Message = "exited with code 3" };
        Assert.Equal(1, cli.Run("run", "--json", "--", "p"));
        using var doc = JsonDocument.Parse(cli.Stdout);
        Assert.Equal("runtime_error", doc.RootElement.GetProperty("status").GetString());
        Assert.Equal(3, doc.RootElement.GetProperty("exit_code").GetInt32());
        Assert.Equal("boom", doc.RootElement.GetProperty("stderr").GetString());
        Assert.Empty(cli.Stderr);
    }

    [Theory]
    [InlineData(SandboxStatus.Ok, 0)]
    [InlineData(SandboxStatus.RuntimeError, 1)]
    [InlineData(SandboxStatus.Signaled, 1)]
    [InlineData(SandboxStatus.TimeLimit, 1)]
    [InlineData(SandboxStatus.WallTimeLimit, 1)]
    [InlineData(SandboxStatus.MemoryLimit, 1)]
    [InlineData(SandboxStatus.OutputLimit, 1)]
    [InlineData(SandboxStatus.InternalError, 2)]
    public void The_exit_status_follows_the_result_status(SandboxStatus status, int exitCode)
    {
        cli.Result = new SandboxResult { Status = status, Message = "" };
        Assert.Equal(exitCode, cli.Run("run", "--", "p"));
        Assert.Equal(exitCode, cli.Run("run", "--json", "--", "p"));
    }

    [Fact]
    public void An_engine_crash_becomes_an_internal_error_result_so_json_callers_still_get_an_object()
    {
        cli.EngineThrows = new InvalidOperationException("slot table corrupt");
        Assert.Equal(2, cli.Run("run", "--json", "--", "p"));
        using var doc = JsonDocument.Parse(cli.Stdout);
        Assert.Equal("internal_error", doc.RootElement.GetProperty("status").GetString());
        Assert.Contains("slot table corrupt", doc.RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public void An_engine_crash_without_json_is_one_summary_line_with_exit_2()
    {
        cli.EngineThrows = new NotImplementedException();
        Assert.Equal(2, cli.Run("run", "--", "p"));
        Assert.Single(cli.StderrLines);
        Assert.StartsWith("runner: status=internal_error ", cli.Stderr);
    }
}
