namespace Runner.Cli.Tests;

/// <summary>
/// Mistakes in what the operator asked for are usage errors naming the option (one line, exit
/// 2, nothing on stdout), not internal errors that tell the reader "do not blame the program".
/// </summary>
public class OperatorErrorTests
{
    private readonly TestCli _cli = new() { RealEngine = true, CurrentDirectory = "/" };

    [Theory]
    [InlineData("--stdin", "/definitely/not/here.txt", "runner: --stdin: no such file: '/definitely/not/here.txt'")]
    [InlineData("--workdir", "/definitely/not/here", "runner: --workdir: no such directory: '/definitely/not/here'")]
    [InlineData("--rootfs", "/definitely/not/here", "runner: --rootfs: no such directory: '/definitely/not/here'")]
    public void A_missing_host_path_is_a_usage_error_naming_its_option(string option, string path, string expected)
    {
        Assert.Equal(2, _cli.Run("run", "--json", option, path, "--", "/bin/true"));
        Assert.Equal(expected, Assert.Single(_cli.StderrLines));
        Assert.Empty(_cli.StdoutBytes);
    }

    [Fact]
    public void An_absolute_cgroup_parent_is_a_usage_error_naming_the_variable()
    {
        _cli.Environment["RUNNER_CGROUP_PARENT"] = "/abs";
        Assert.Equal(2, _cli.Run("run", "--", "/bin/true"));
        Assert.StartsWith("runner: RUNNER_CGROUP_PARENT: expected a cgroup path relative", Assert.Single(_cli.StderrLines));
    }

    [Fact]
    public void A_cpuset_naming_CPUs_the_host_does_not_have_is_a_usage_error()
    {
        Assert.Equal(2, _cli.Run("run", "--json", "--cpuset", "99", "--", "/bin/true"));
        Assert.StartsWith("runner: --cpuset: expected CPUs that boxes on this host may use (", Assert.Single(_cli.StderrLines));
        Assert.Empty(_cli.StdoutBytes);
    }

    [Theory]
    [InlineData("/definitely/not/a/program", "runner: PROGRAM: '/definitely/not/a/program' does not exist in the box")]
    [InlineData("no-such-program-anywhere", "runner: PROGRAM: 'no-such-program-anywhere' is not in the box's PATH")]
    [InlineData("/etc/passwd", "runner: PROGRAM: '/etc/passwd' is not executable in the box")]
    public void A_program_the_box_cannot_execute_is_a_usage_error_naming_PROGRAM(string program, string expected)
    {
        Assert.Equal(2, _cli.Run("run", "--json", "--", program));
        Assert.StartsWith(expected, Assert.Single(_cli.StderrLines));
        Assert.Empty(_cli.StdoutBytes);
    }

    [Fact]
    public void A_program_that_runs_is_unaffected()
    {
        Assert.Equal(0, _cli.Run("run", "--json", "--", "/bin/true"));
        Assert.Contains("\"status\":\"ok\"", _cli.Stdout);
    }
}
