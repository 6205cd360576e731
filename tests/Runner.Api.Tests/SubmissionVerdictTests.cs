using System.Text.Json;
using Runner.Api.Tests.Infrastructure;

namespace Runner.Api.Tests;

/// <summary>The judge's verdicts through the HTTP API, with real compilers in real boxes.</summary>
[Collection("Service")]
public sealed class SubmissionVerdictTests(PostgresServer postgres) : IClassFixture<PostgresServer>, IAsyncLifetime
{
    private RunnerHost _host = null!;

    public async Task InitializeAsync() => _host = TestHosts.Api(await postgres.CreateDatabaseAsync());

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<JsonElement> JudgeAsync(object submission) =>
        await (await _host.Client().PostJson("/api/v1/submissions?wait=true", submission)).Expect(200);

    [Fact]
    public async Task A_correct_c_program_is_accepted_on_every_test_with_its_compile_step_reported()
    {
        var r = await JudgeAsync(new
        {
            language = "c",
            source = "#include <stdio.h>\nint main(void){long a,b;if(scanf(\"%ld %ld\",&a,&b)!=2)return 1;printf(\"%ld\\n\",a+b);return 0;}\n",
            tests = new[] { new { name = "small", input = "1 2\n", expected_output = "3\n" }, new { name = "big", input = "1000000000 2000000000\n", expected_output = "3000000000\n" } },
        });
        Assert.Equal("accepted", r.GetProperty("verdict").GetString());
        Assert.Equal(2, r.GetProperty("score").GetDouble());
        Assert.True(r.GetProperty("compile").GetProperty("success").GetBoolean());
        Assert.All(r.GetProperty("tests").EnumerateArray(), t => Assert.Equal("accepted", t.GetProperty("verdict").GetString()));
    }

    [Fact]
    public async Task A_wrong_output_is_wrong_answer_on_that_test_only()
    {
        var r = await JudgeAsync(new
        {
            language = TestHosts.Python,
            source = "n = int(input())\nprint(n * 2 if n < 5 else n)\n",
            tests = new[] { new { name = "a", input = "2\n", expected_output = "4\n" }, new { name = "b", input = "7\n", expected_output = "14\n" } },
        });
        Assert.Equal("wrong_answer", r.GetProperty("verdict").GetString());
        var tests = r.GetProperty("tests").EnumerateArray().Select(t => t.GetProperty("verdict").GetString()).ToList();
        Assert.Equal(["accepted", "wrong_answer"], tests);
        Assert.Equal(1, r.GetProperty("score").GetDouble());
    }

    [Fact]
    public async Task An_endless_loop_is_time_limit_exceeded()
    {
        var r = await JudgeAsync(new
        {
            language = TestHosts.Python,
            source = "while True:\n    pass\n",
            limits = new { time = 0.5, wall_time = 10 },
        });
        Assert.Equal("time_limit_exceeded", r.GetProperty("verdict").GetString());
        Assert.True(r.GetProperty("tests")[0].GetProperty("cpu_time").GetDouble() >= 0.5);
    }

    [Fact]
    public async Task A_syntax_error_in_c_is_compilation_error_with_the_compiler_output()
    {
        var r = await JudgeAsync(new { language = "c", source = "int main( { return 0 }\n", stdin = "", expected_output = "" });
        Assert.Equal("compilation_error", r.GetProperty("verdict").GetString());
        var compile = r.GetProperty("compile");
        Assert.False(compile.GetProperty("success").GetBoolean());
        Assert.Contains("error", compile.GetProperty("output").GetString());
        Assert.Equal(0, r.GetProperty("tests").GetArrayLength());
    }

    [Fact]
    public async Task Without_an_expected_output_a_clean_run_is_accepted_and_a_crash_is_not()
    {
        var ok = await JudgeAsync(new { language = TestHosts.Python, source = "print('hi')\n" });
        Assert.Equal("accepted", ok.GetProperty("verdict").GetString());
        Assert.Equal("hi\n", ok.GetProperty("tests")[0].GetProperty("output_excerpt").GetString());
        var crash = await JudgeAsync(new { language = TestHosts.Python, source = "raise SystemExit(3)\n" });
        Assert.Equal("runtime_error", crash.GetProperty("verdict").GetString());
    }

    [Fact]
    public async Task Without_an_expected_output_the_output_is_not_compared_and_the_messages_are_empty()
    {
        var r = await JudgeAsync(new { language = TestHosts.Python, source = "print('hi')\n" });
        Assert.Equal("accepted", r.GetProperty("verdict").GetString());
        Assert.Equal(JsonValueKind.Null, r.GetProperty("message").ValueKind);
        var test = r.GetProperty("tests")[0];
        Assert.Equal("accepted", test.GetProperty("verdict").GetString());
        Assert.Equal("", test.GetProperty("message").GetString());
        Assert.Equal(1, test.GetProperty("score").GetDouble());
        Assert.Equal(1, r.GetProperty("score").GetDouble());
    }

    [Fact]
    public async Task The_top_level_message_names_the_failing_test_not_an_accepted_one_before_it()
    {
        var r = await JudgeAsync(new
        {
            language = TestHosts.Python,
            source = "print('hi')\n",
            tests = new object[] { new { name = "free", input = "" }, new { name = "strict", input = "", expected_output = "bye\n" } },
        });
        Assert.Equal("wrong_answer", r.GetProperty("verdict").GetString());
        Assert.Equal(["accepted", "wrong_answer"], r.GetProperty("tests").EnumerateArray().Select(t => t.GetProperty("verdict").GetString()));
        Assert.StartsWith("test strict: ", r.GetProperty("message").GetString());
        Assert.Equal(1, r.GetProperty("score").GetDouble());
    }

    /// <summary>A testlib-style checker that always gives half the points (exit 7).</summary>
    private const string HalfPointsChecker = "import sys\nprint(0.5)\nsys.exit(7)\n";

    [Fact]
    public async Task A_checkers_partial_points_never_exceed_the_tests_weight()
    {
        var alone = await JudgeAsync(new
        {
            language = TestHosts.Python,
            source = "print('hi')\n",
            checker = new { type = "custom", language = TestHosts.Python, source = HalfPointsChecker },
        });
        Assert.Equal(1, alone.GetProperty("score").GetDouble());

        var r = await JudgeAsync(new
        {
            language = TestHosts.Python,
            source = "print('hi')\n",
            tests = new object[] { new { name = "half", input = "", expected_output = "hi\n" }, new { name = "free", input = "" } },
            checker = new { type = "custom", language = TestHosts.Python, source = HalfPointsChecker },
        });
        var tests = r.GetProperty("tests").EnumerateArray().ToList();
        Assert.Equal(("wrong_answer", 0.5), (tests[0].GetProperty("verdict").GetString(), tests[0].GetProperty("score").GetDouble()));
        Assert.StartsWith("partial: 0.5", tests[0].GetProperty("message").GetString());
        // No expected output: no checker runs, so the test is worth its weight, not weight + points.
        Assert.Equal(("accepted", 1.0), (tests[1].GetProperty("verdict").GetString(), tests[1].GetProperty("score").GetDouble()));
        Assert.All(tests, t => Assert.InRange(t.GetProperty("score").GetDouble(), 0, 1));
        Assert.Equal(1.5, r.GetProperty("score").GetDouble());
        Assert.Equal("wrong_answer", r.GetProperty("verdict").GetString());
    }

    [Fact]
    public async Task The_compile_step_reports_its_status_and_peak_memory_beside_the_deprecated_success()
    {
        var r = await JudgeAsync(new { language = "c", source = "int main(void){return 0;}\n" });
        var compile = r.GetProperty("compile");
        Assert.Equal("succeeded", compile.GetProperty("status").GetString());
        Assert.True(compile.GetProperty("success").GetBoolean());
        Assert.True(compile.GetProperty("memory_peak").GetInt64() > 0);
    }
}
