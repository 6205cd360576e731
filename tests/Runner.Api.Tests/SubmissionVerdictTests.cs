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
}
