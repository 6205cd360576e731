using System.Text.Json;
using Runner.Judge;
using Runner.Judge.Checking;

namespace Runner.Cli.Tests;

public sealed class JudgeCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("runner-cli-judge-").FullName;
    private readonly TestCli _cli = new();

    public JudgeCommandTests()
    {
        _cli.CurrentDirectory = _dir;
        File.WriteAllText(Path.Combine(_dir, "sol.py"), "a, b = map(int, input().split())\nprint(a + b)\n");
        Directory.CreateDirectory(Path.Combine(_dir, "tests"));
        foreach (var (name, input, answer, ext) in new[] { ("t10", "5 5", "10", "out"), ("t2", "1 1", "2", "ans"), ("t1", "1 0", "1", "out") })
        {
            File.WriteAllText(Path.Combine(_dir, "tests", name + ".in"), input + "\n");
            File.WriteAllText(Path.Combine(_dir, "tests", $"{name}.{ext}"), answer + "\n");
        }
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Judge_parses_limits_checker_and_flags_into_the_request()
    {
        JudgeRequest? seen = null;
        JudgeOptions? options = null;
        _cli.Judge = (r, o) => { seen = r; options = o; return Report(Verdict.Accepted); };
        var code = _cli.Run("judge", "--language", "python", "--source", "sol.py", "--tests", "tests", "--time", "0.5",
            "--memory", "64M", "--checker=float:1e-3", "--stop-on-failure", "--rootfs", "/img");
        Assert.Equal(0, code);
        Assert.Equal("python", seen!.Language);
        Assert.Equal(0.5, seen.Limits.CpuTimeSeconds);
        Assert.Equal(64L << 20, seen.Limits.MemoryBytes);
        Assert.Equal(CheckerKind.Float, seen.Checker.Kind);
        Assert.Equal(1e-3, seen.Checker.AbsoluteEpsilon);
        Assert.True(seen.StopOnFirstFailure);
        Assert.Equal("/img", options!.RootfsPath);
        Assert.Equal(["t1", "t2", "t10"], seen.Tests.Select(t => t.Name));
        Assert.EndsWith("t2.ans", seen.Tests[1].Answer!.Path);
    }

    [Fact]
    public void Judge_keeps_one_box_prepared_ahead_of_the_tests()
    {
        JudgeOptions? options = null;
        _cli.Judge = (_, o) => { options = o; return Report(Verdict.Accepted); };
        Assert.Equal(0, _cli.Run("judge", "--language", "python", "--source", "sol.py", "--tests", "tests"));
        Assert.Equal(1, options!.WarmBoxes);
    }

    [Fact]
    public void Judge_with_a_checker_program_keeps_a_box_ahead_for_the_checker_too()
    {
        File.WriteAllText(Path.Combine(_dir, "check.py"), "import sys\n");
        JudgeOptions? options = null;
        _cli.Judge = (_, o) => { options = o; return Report(Verdict.Accepted); };
        Assert.Equal(0, _cli.Run("judge", "--language", "python", "--source", "sol.py", "--tests", "tests", "--checker", "check.py"));
        Assert.Equal(2, options!.WarmBoxes);
    }

    [Theory]
    [InlineData(Verdict.Accepted, 0)]
    [InlineData(Verdict.WrongAnswer, 1)]
    [InlineData(Verdict.CompilationError, 1)]
    [InlineData(Verdict.TimeLimitExceeded, 1)]
    [InlineData(Verdict.InternalError, 2)]
    public void The_exit_status_follows_the_overall_verdict(Verdict verdict, int expected)
    {
        _cli.Judge = (_, _) => Report(verdict);
        Assert.Equal(expected, _cli.Run("judge", "--language", "python", "--source", "sol.py", "--tests", "tests"));
    }

    [Theory]
    [InlineData(new[] { "--source", "sol.py", "--tests", "tests" }, "runner: --language: is required")]
    [InlineData(new[] { "--language", "python", "--source", "sol.py", "--tests", "nowhere" }, "runner: --tests: '")]
    [InlineData(new[] { "--language", "cobol", "--source", "sol.py", "--tests", "tests" }, "runner: --language: unknown language 'cobol'")]
    [InlineData(new[] { "--language", "python", "--source", "sol.py", "--tests", "tests", "--checker", "float:x" }, "runner: --checker: expected float")]
    [InlineData(new[] { "--language", "python", "--source", "sol.py", "--tests", "tests", "--checker", "check.rb" }, "runner: --checker: expected exact")]
    [InlineData(new[] { "--language", "python", "--source", "sol.py", "--tests", "tests", "--memory", "lots" }, "runner: --memory: expected a size")]
    [InlineData(new[] { "--language", "python", "--source", "missing.py", "--tests", "tests" }, "runner: --source: ")]
    public void Bad_judge_usage_is_one_line_on_stderr_and_exit_2(string[] args, string expected)
    {
        _cli.Judge = (r, o) => Runner.Judge.JudgePipeline.Run(r, o);
        Assert.Equal(2, _cli.Run(["judge", .. args]));
        Assert.StartsWith(expected, Assert.Single(_cli.StderrLines));
    }

    [Fact]
    public void An_unknown_language_is_a_usage_error_listing_the_languages_available_here()
    {
        Assert.Equal(2, _cli.Run("judge", "--language", "rust", "--source", "sol.py", "--tests", "tests"));
        var line = Assert.Single(_cli.StderrLines);
        Assert.StartsWith("runner: --language: unknown language 'rust'; available here: ", line);
        Assert.Contains("python", line);
        Assert.Empty(_cli.StdoutBytes);
    }

    [Fact]
    public void A_checker_that_is_neither_built_in_nor_a_source_file_is_named_as_typed()
    {
        Assert.Equal(2, _cli.Run("judge", "--language", "python", "--source", "sol.py", "--tests", "tests", "--checker", "regex"));
        Assert.Equal("runner: --checker: expected exact, lines, tokens, float[:EPS] or a .cpp/.c/.py checker source, got 'regex'",
            Assert.Single(_cli.StderrLines));
    }

    [Fact]
    public void A_testlib_checker_is_a_usage_error_saying_testlib_h_is_not_shipped()
    {
        File.WriteAllText(Path.Combine(_dir, "check.cpp"),
            "#include \"testlib.h\"\nint main(int argc, char* argv[]) { registerTestlibCmd(argc, argv); quitf(_ok, \"ok\"); }\n");
        Assert.Equal(2, _cli.Run("judge", "--language", "python", "--source", "sol.py", "--tests", "tests", "--checker", "check.cpp"));
        var line = Assert.Single(_cli.StderrLines);
        Assert.StartsWith("runner: --checker: does not compile: ", line);
        Assert.Contains("testlib.h: No such file or directory", line);
        Assert.Contains("Runner does not ship testlib.h", line);
    }

    private const string GuessInteractor = """
        import sys
        secret = int(open(sys.argv[1]).read())
        for guesses in range(1, 11):
            line = sys.stdin.readline()
            if not line:
                sys.exit("expected a guess, got EOF")  # exit 1: wrong answer
            if int(line) == secret:
                print("correct", flush=True)
                print(f"found {secret} in {guesses}", file=sys.stderr)
                sys.exit(0)
            print("higher" if int(line) < secret else "lower", flush=True)
        sys.exit("10 guesses")
        """;

    private const string BinarySearch = """
        lo, hi = 1, 1000
        while True:
            mid = (lo + hi) // 2
            print(mid, flush=True)
            reply = input()
            if reply == "correct":
                break
            lo, hi = (mid + 1, hi) if reply == "higher" else (lo, mid - 1)
        """;

    private void GuessTheNumber(string solution)
    {
        File.WriteAllText(Path.Combine(_dir, "interactor.py"), GuessInteractor);
        File.WriteAllText(Path.Combine(_dir, "guess.py"), solution);
        var tests = Directory.CreateDirectory(Path.Combine(_dir, "guess")).FullName;
        File.WriteAllText(Path.Combine(tests, "1.in"), "1\n");
        File.WriteAllText(Path.Combine(tests, "2.in"), "777\n");
    }

    [Fact]
    public void Judge_passes_an_interactor_source_with_its_language()
    {
        GuessTheNumber(BinarySearch);
        JudgeRequest? seen = null;
        _cli.Judge = (r, _) => { seen = r; return Report(Verdict.Accepted); };
        Assert.Equal(0, _cli.Run("judge", "--language", "python", "--source", "guess.py", "--tests", "guess", "--interactor", "interactor.py"));
        Assert.Equal("python", seen!.Interactor!.Language);
        Assert.Equal(GuessInteractor, seen.Interactor.Source);
    }

    [Theory]
    [InlineData("interactor.rb", null, "runner: --interactor: expected a .cpp/.c/.py interactor source, got 'interactor.rb'")]
    [InlineData("interactor.py", "check.cpp", "runner: --interactor: the interactor decides each test: give no --checker FILE with it")]
    [InlineData("missing.cpp", null, "runner: --interactor: Could not find file")]
    public void A_bad_interactor_is_a_one_line_usage_error(string interactor, string? checker, string message)
    {
        GuessTheNumber(BinarySearch);
        string[] args = ["judge", "--language", "python", "--source", "guess.py", "--tests", "guess", "--interactor", interactor];
        if (checker is not null) args = [.. args, "--checker", checker];
        Assert.Equal(2, _cli.Run(args));
        Assert.StartsWith(message, Assert.Single(_cli.StderrLines));
        Assert.Equal("", _cli.Stdout);
    }

    [Fact]
    public void An_interactive_problem_is_judged_in_real_boxes_and_a_deadlock_is_reported_as_such()
    {
        GuessTheNumber(BinarySearch);
        Assert.Equal(0, _cli.Run("judge", "--language", "python", "--source", "guess.py", "--tests", "guess", "--interactor", "interactor.py", "--json"));
        using (var doc = JsonDocument.Parse(_cli.Stdout))
            Assert.Equal(["found 1 in 9", "found 777 in 8"],
                doc.RootElement.GetProperty("tests").EnumerateArray().Select(t => t.GetProperty("message").GetString()));

        // Unflushed: the guess stays in the program's buffer while both wait for each other.
        File.WriteAllText(Path.Combine(_dir, "guess.py"), "import sys\nprint(500)\nsys.stdin.readline()\n");
        var cli = new TestCli { CurrentDirectory = _dir };
        Assert.Equal(1, cli.Run("judge", "--language", "python", "--source", "guess.py", "--tests", "guess", "--interactor", "interactor.py",
            "--wall-time", "1", "--stop-on-failure", "--json"));
        using var report = JsonDocument.Parse(cli.Stdout);
        Assert.Equal("time_limit_exceeded", report.RootElement.GetProperty("verdict").GetString());
        Assert.StartsWith("test 1: deadlock: wall-clock limit of 1 s exceeded", report.RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public void Progress_is_drawn_on_stderr_when_it_is_a_terminal_and_erased_before_the_report()
    {
        _cli.ErrorIsTerminal = true;
        Assert.Equal(0, _cli.Run("judge", "--language", "python", "--source", "sol.py", "--tests", "tests"));
        Assert.Contains("\r\u001b[Krunner: test 1/3 t1", _cli.Stderr);
        Assert.EndsWith("\r\u001b[K", _cli.Stderr);
        Assert.StartsWith("verdict: accepted", _cli.Stdout);
    }

    [Fact]
    public void No_progress_is_written_when_stderr_is_not_a_terminal()
    {
        Assert.Equal(0, _cli.Run("judge", "--language", "python", "--source", "sol.py", "--tests", "tests"));
        Assert.Equal("", _cli.Stderr);
    }

    [Fact]
    public void An_input_without_an_answer_is_a_test_without_expected_output()
    {
        File.WriteAllText(Path.Combine(_dir, "tests", "orphan.in"), "1 1\n");
        JudgeRequest? seen = null;
        _cli.Judge = (r, _) => { seen = r; return Report(Verdict.Accepted); };
        Assert.Equal(0, _cli.Run("judge", "--language", "python", "--source", "sol.py", "--tests", "tests"));
        var orphan = seen!.Tests.Single(t => t.Name == "orphan");
        Assert.EndsWith("orphan.in", orphan.Input.Path);
        Assert.Null(orphan.Answer);
    }

    [Fact]
    public void A_test_without_an_answer_is_accepted_with_an_empty_message_in_real_boxes()
    {
        File.WriteAllText(Path.Combine(_dir, "tests", "orphan.in"), "2 2\n");
        var code = _cli.Run("judge", "--language", "python", "--source", "sol.py", "--tests", "tests", "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(_cli.Stdout);
        var root = doc.RootElement;
        Assert.Equal("accepted", root.GetProperty("verdict").GetString());
        Assert.Equal("", root.GetProperty("message").GetString());
        var orphan = root.GetProperty("tests").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "orphan");
        Assert.Equal("accepted", orphan.GetProperty("verdict").GetString());
        Assert.Equal("", orphan.GetProperty("message").GetString());
        Assert.Equal(1, orphan.GetProperty("score").GetDouble());
        Assert.Equal("4\n", orphan.GetProperty("output_excerpt").GetString());
    }

    [Fact]
    public void Judge_json_in_real_boxes_has_verdict_score_compile_and_tests()
    {
        File.WriteAllText(Path.Combine(_dir, "tests", "t10.out"), "11\n");
        var code = _cli.Run("judge", "--language", "python", "--source", "sol.py", "--tests", "tests", "--json");
        Assert.Equal(1, code);
        using var doc = JsonDocument.Parse(_cli.Stdout);
        var root = doc.RootElement;
        Assert.Equal(["verdict", "score", "compile", "tests", "message"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("wrong_answer", root.GetProperty("verdict").GetString());
        Assert.Equal(2, root.GetProperty("score").GetProperty("passed").GetInt32());
        Assert.Equal(3, root.GetProperty("score").GetProperty("total").GetInt32());
        // Python's syntax check is its first run, not a compile box of its own.
        Assert.Equal("skipped", root.GetProperty("compile").GetProperty("status").GetString());
        var tests = root.GetProperty("tests").EnumerateArray().ToList();
        Assert.Equal(["t1", "t2", "t10"], tests.Select(t => t.GetProperty("name").GetString()));
        Assert.Equal("10\n", tests[2].GetProperty("output_excerpt").GetString());
        Assert.Equal(["name", "verdict", "score", "cpu_time", "wall_time", "memory_peak", "exit_code", "signal", "message", "output_excerpt"],
            tests[0].EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Judge_without_json_prints_a_table_with_one_row_per_test()
    {
        var code = _cli.Run("judge", "--language", "python", "--source", "sol.py", "--tests", "tests");
        Assert.Equal(0, code);
        var lines = _cli.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("verdict: accepted   score: 3/3", lines[0]);
        Assert.StartsWith("TEST", lines[2]);
        Assert.Equal(["t1", "t2", "t10"], lines[3..].Select(l => l.Split(' ')[0]));
    }

    [Fact]
    public void Languages_json_lists_every_language_with_availability_and_version()
    {
        Assert.Equal(0, _cli.Run("languages", "--json"));
        using var doc = JsonDocument.Parse(_cli.Stdout);
        var python = doc.RootElement.GetProperty("languages").EnumerateArray().Single(l => l.GetProperty("id").GetString() == "python");
        Assert.True(python.GetProperty("available").GetBoolean());
        Assert.StartsWith("Python 3", python.GetProperty("version").GetString());
    }

    private static JudgeReport Report(Verdict verdict) => new()
    {
        Verdict = verdict,
        Score = new JudgeScore(0, 1, 0),
        Compile = new CompileReport { Status = CompileStatus.Skipped },
        Tests = [],
    };
}
