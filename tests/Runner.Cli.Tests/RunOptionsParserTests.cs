using Runner.Sandbox;

namespace Runner.Cli.Tests;

public class RunOptionsParserTests
{
    private const string Cwd = "/home/judge";

    private static SandboxSpec Spec(params string[] args)
    {
        var request = RunOptionsParser.Parse(args, Cwd);
        Assert.False(request.Help);
        return Assert.IsType<SandboxSpec>(request.Spec);
    }

    private static CliUsageException Error(params string[] args)
        => Assert.Throws<CliUsageException>(() => RunOptionsParser.Parse(args, Cwd));

    [Fact]
    public void Without_options_the_spec_has_the_documented_defaults()
    {
        var spec = Spec("--", "prog", "a", "b");
        Assert.Equal(["prog", "a", "b"], spec.Argv);
        Assert.Equal(new SandboxLimits(), spec.Limits);
        Assert.Equal(5, spec.Limits.CpuTimeSeconds);
        Assert.Null(spec.Limits.WallTimeSeconds);
        Assert.Equal(11, spec.Limits.EffectiveWallTimeSeconds);
        Assert.Equal(256L << 20, spec.Limits.MemoryBytes);
        Assert.Equal(64, spec.Limits.Pids);
        Assert.Equal(64L << 20, spec.Limits.FileSizeBytes);
        Assert.Equal(1L << 20, spec.Limits.OutputBytes);
        Assert.Empty(spec.Environment);
        Assert.Empty(spec.Binds);
        Assert.Null(spec.StdinPath);
        Assert.Null(spec.WorkDir);
        Assert.Null(spec.RootfsPath);
        Assert.Equal("default", spec.Seccomp);
        Assert.Equal("sandbox", spec.Hostname);
        Assert.False(RunOptionsParser.Parse(["--", "prog"], Cwd).Json);
    }

    [Fact]
    public void Every_limit_option_sets_its_spec_field()
    {
        var limits = Spec(
            "--time", "1.5", "--wall-time", "3", "--memory", "1G", "--pids", "10", "--fsize", "1M",
            "--output-limit", "2K", "--open-files", "32", "--stack", "8M", "--tmpfs-size", "16M",
            "--cpuset", "0-3,6", "--", "p").Limits;
        Assert.Equal(new SandboxLimits
        {
            CpuTimeSeconds = 1.5,
            WallTimeSeconds = 3,
            MemoryBytes = 1L << 30,
            Pids = 10,
            FileSizeBytes = 1L << 20,
            OutputBytes = 2048,
            OpenFiles = 32,
            StackBytes = 8L << 20,
            TmpfsBytes = 16L << 20,
            Cpuset = "0-3,6",
        }, limits);
    }

    [Fact]
    public void Every_box_option_sets_its_spec_field()
    {
        var spec = Spec(
            "--stdin", "/in.txt", "--workdir", "/srv/box", "--rootfs", "/images/py", "--seccomp", "none",
            "--hostname", "h1", "--", "p");
        Assert.Equal("/in.txt", spec.StdinPath);
        Assert.Equal("/srv/box", spec.WorkDir);
        Assert.Equal("/images/py", spec.RootfsPath);
        Assert.Equal("none", spec.Seccomp);
        Assert.Equal("h1", spec.Hostname);
    }

    [Fact]
    public void The_json_flag_is_reported_without_touching_the_spec()
    {
        var request = RunOptionsParser.Parse(["--json", "--", "p"], Cwd);
        Assert.True(request.Json);
        Assert.Equal(["p"], request.Spec!.Argv);
    }

    [Fact]
    public void Values_may_be_attached_with_an_equals_sign()
    {
        var spec = Spec("--time=2", "--env=A=b=c", "--memory=64M", "--", "p");
        Assert.Equal(2, spec.Limits.CpuTimeSeconds);
        Assert.Equal(64L << 20, spec.Limits.MemoryBytes);
        Assert.Equal("b=c", spec.Environment["A"]);
    }

    [Fact]
    public void Env_repeats_and_a_later_value_for_the_same_name_wins()
    {
        var spec = Spec("--env", "A=1", "--env", "B=", "--env", "A=3", "--", "p");
        Assert.Equal(2, spec.Environment.Count);
        Assert.Equal("3", spec.Environment["A"]);
        Assert.Equal("", spec.Environment["B"]);
    }

    [Fact]
    public void Bind_repeats_in_order_and_is_read_only_unless_rw()
    {
        var spec = Spec("--bind", "/data", "--bind", "/src:/box/src", "--bind", "/out:/box/out:rw", "--", "p");
        Assert.Equal(
            [new BindMount("/data", "/data"), new BindMount("/src", "/box/src"), new BindMount("/out", "/box/out", true)],
            spec.Binds);
    }

    [Fact]
    public void Relative_host_paths_resolve_against_the_current_directory()
    {
        var spec = Spec(
            "--stdin", "in.txt", "--workdir", ".", "--rootfs", "../img", "--seccomp", "p.json",
            "--bind", "data", "--bind", "lib:/usr/lib/x:rw", "--", "p");
        Assert.Equal("/home/judge/in.txt", spec.StdinPath);
        Assert.Equal("/home/judge", spec.WorkDir);
        Assert.Equal("/home/img", spec.RootfsPath);
        Assert.Equal("/home/judge/p.json", spec.Seccomp);
        Assert.Equal(
            [new BindMount("/home/judge/data", "/home/judge/data"), new BindMount("/home/judge/lib", "/usr/lib/x", true)],
            spec.Binds);
    }

    [Fact]
    public void Everything_after_double_dash_belongs_to_the_program_even_if_it_looks_like_an_option()
    {
        var spec = Spec("--", "prog", "--time", "x", "--", "-h");
        Assert.Equal(["prog", "--time", "x", "--", "-h"], spec.Argv);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public void Help_before_double_dash_asks_for_help(string flag)
        => Assert.True(RunOptionsParser.Parse(["--time", "1", flag], Cwd).Help);

    [Fact]
    public void A_missing_program_after_double_dash_is_a_usage_error_naming_it()
    {
        Assert.Equal("--", Error("--time", "1", "--").Option);
        Assert.Equal("--", Error("--", "").Option);
    }

    [Fact]
    public void A_missing_double_dash_is_a_usage_error_naming_it()
        => Assert.Equal("--", Error("--time", "1").Option);

    [Fact]
    public void A_program_given_without_double_dash_is_rejected_naming_the_stray_argument()
    {
        var e = Error("prog", "arg");
        Assert.Equal("prog", e.Option);
        Assert.Contains("'--'", e.Message);
    }

    [Theory]
    [InlineData("--frobnicate")]
    [InlineData("-t")]
    [InlineData("--Time")]
    public void An_unknown_option_is_a_usage_error_naming_it(string option)
    {
        var e = Error(option, "1", "--", "p");
        Assert.Equal(option, e.Option);
        Assert.Equal($"runner: {option}: unknown option", e.ToLine());
    }

    [Theory]
    [InlineData("--time")]
    [InlineData("--memory")]
    [InlineData("--env")]
    [InlineData("--bind")]
    [InlineData("--stdin")]
    public void An_option_missing_its_value_is_a_usage_error_naming_it(string option)
    {
        Assert.Equal($"runner: {option}: missing value", Error(option, "--", "p").ToLine());
        Assert.Equal($"runner: {option}: missing value", Error(option).ToLine());
    }

    [Fact]
    public void A_bad_size_names_the_option_and_echoes_the_value()
        => Assert.Equal(
            "runner: --memory: expected a size like 256M or 1G, got 'abc'",
            Error("--memory", "abc", "--", "p").ToLine());

    [Fact]
    public void A_fractional_size_is_rejected_with_a_hint_to_use_a_smaller_unit()
        => Assert.Equal(
            "runner: --memory: fractional sizes are not accepted, got '1.5G'; use a smaller unit such as K",
            Error("--memory", "1.5G", "--", "p").ToLine());

    [Fact]
    public void An_oversized_size_is_reported_as_too_large()
        => Assert.Equal(
            "runner: --fsize: size is too large: '9999999999T'",
            Error("--fsize", "9999999999T", "--", "p").ToLine());

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("1,5")]
    [InlineData("1e3")]
    [InlineData("abc")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("")]
    public void Seconds_must_be_a_positive_plain_decimal(string value)
    {
        Assert.Equal("--time", Error("--time", value, "--", "p").Option);
        Assert.Equal("--wall-time", Error("--wall-time", value, "--", "p").Option);
    }

    [Theory]
    [InlineData("0.5", 0.5)]
    [InlineData(".25", 0.25)]
    [InlineData("10", 10.0)]
    public void Seconds_are_read_with_a_dot_whatever_the_locale(string value, double expected)
        => Assert.Equal(expected, Spec("--time", value, "--", "p").Limits.CpuTimeSeconds);

    [Theory]
    [InlineData("--pids", "ten")]
    [InlineData("--pids", "-1")]
    [InlineData("--pids", "99999999999")]
    [InlineData("--open-files", "1.5")]
    public void Counts_must_be_whole_numbers(string option, string value)
        => Assert.Equal(option, Error(option, value, "--", "p").Option);

    [Theory]
    [InlineData("NOEQUALS")]
    [InlineData("=value")]
    public void Env_without_a_name_and_equals_sign_is_rejected(string value)
        => Assert.Equal("--env", Error("--env", value, "--", "p").Option);

    [Theory]
    [InlineData("")]
    [InlineData("a:b:c:d")]
    [InlineData(":/x")]
    public void A_malformed_bind_is_rejected_naming_bind(string value)
        => Assert.Equal("--bind", Error("--bind", value, "--", "p").Option);

    [Theory]
    [InlineData("all")]
    [InlineData("")]
    [InlineData("1;2")]
    public void A_cpuset_outside_the_cgroup_syntax_is_rejected(string value)
        => Assert.Equal("--cpuset", Error("--cpuset", value, "--", "p").Option);

    [Fact]
    public void A_non_repeatable_option_given_twice_is_rejected()
        => Assert.Equal(
            "runner: --time: given more than once",
            Error("--time", "1", "--time", "2", "--", "p").ToLine());

    [Fact]
    public void The_json_flag_takes_no_value()
        => Assert.Equal("--json", Error("--json=yes", "--", "p").Option);
}
