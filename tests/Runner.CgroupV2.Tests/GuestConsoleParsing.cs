namespace Runner.CgroupV2.Tests;

/// <summary>The marker parser, on canned consoles: no VM needed, so these run in milliseconds.</summary>
public sealed class GuestConsoleParsing
{
    [Fact]
    public void Checks_are_split_by_their_begin_and_end_markers_even_after_firmware_escapes()
    {
        var console = new GuestConsole(
            "SeaBIOS\r\n\u001b[2J@@BOOT 4.50\r\n@@BEGIN raw/a\r\nx=1\r\n@@END raw/a rc=0\r\n" +
            "@@BEGIN raw/b\r\n[ 3.1] kernel noise\r\n@@END raw/b rc=3\r\n@@DONE 9.25\r\n");

        Assert.Equal(4.5, console.BootUptimeSeconds);
        Assert.Equal(9.25, console.DoneUptimeSeconds);
        Assert.Equal("1", console.Find("raw/a")!.Value("x"));
        Assert.Equal(0, console.Find("raw/a")!.ExitCode);
        Assert.Equal(3, console.Find("raw/b")!.ExitCode);
    }

    [Fact]
    public void A_check_cut_off_by_the_timeout_is_kept_without_an_exit_code()
    {
        var console = new GuestConsole("@@BOOT 1\n@@BEGIN root/slow\npartial line\n");

        var check = console.Find("root/slow")!;
        Assert.Null(check.ExitCode);
        Assert.Equal(["partial line"], check.Lines);
        Assert.Null(console.DoneUptimeSeconds);
    }

    [Fact]
    public void A_runner_check_yields_its_exit_code_streams_and_multi_line_json()
    {
        var console = new GuestConsole(
            "@@BEGIN root/m\n@@RC 0\n@@STDOUT\n{\n  \"status\": \"ok\",\n  \"memory_peak\": 123\n}\n\n" +
            "@@STDERR\nwarn\n@@STREAMS-END\n@@END root/m rc=0\n");

        var run = console.Find("root/m")!.Runner();
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("warn", run.Stderr);
        Assert.Equal("ok", run.Json!.Value.GetProperty("status").GetString());
        Assert.Equal(123, run.Json!.Value.GetProperty("memory_peak").GetInt64());
    }

    [Fact]
    public void A_runner_that_printed_no_json_says_so()
    {
        var console = new GuestConsole("@@BEGIN root/m\n@@RC 2\n@@STDOUT\n\n@@STDERR\nnot implemented\n@@STREAMS-END\n@@END root/m rc=0\n");

        var run = console.Find("root/m")!.Runner();
        Assert.Null(run.Json);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("nothing on stdout", run.JsonError);
    }

    [Fact]
    public void The_fork_bomb_summary_is_read_from_its_output()
    {
        var report = ForkBombReport.Parse("forkbomb: attempts=500 forks_ok=15 forks_failed=485 first_error=Resource temporarily unavailable");

        Assert.Equal(new ForkBombReport(15, 485), report);
    }
}
