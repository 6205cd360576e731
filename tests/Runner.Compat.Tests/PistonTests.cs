using System.Text.Json;
using Runner.Compat.Tests.Infrastructure;

namespace Runner.Compat.Tests;

/// <summary>Piston v2's API (sections 3 and 4.2 of the compatibility notes) through a real host with real boxes.</summary>
[Collection("Compat")]
public sealed class PistonTests(CompatFixture fixture)
{
    private readonly HttpClient _client = fixture.Host.Client();

    private async Task<JsonElement> ExecuteAsync(object body, string path = "/api/v2/execute", string? contentType = "application/json")
    {
        var (status, r) = await _client.PostTextAsync(path, JsonSerializer.Serialize(body), contentType);
        Assert.True(status == 200, $"HTTP {status}: {r}");
        return r;
    }

    [Fact]
    public async Task Runtimes_use_pistons_names_aliases_and_semver_versions()
    {
        var (status, list) = await _client.GetJsonAsync("/api/v2/runtimes/");
        Assert.Equal(200, status);
        var python = list.EnumerateArray().Single(r => r.GetProperty("language").GetString() == "python");
        Assert.Matches(@"^3\.\d+\.\d+$", python.GetProperty("version").GetString());
        Assert.Contains("py", python.GetProperty("aliases").EnumerateArray().Select(a => a.GetString()));
        Assert.False(python.TryGetProperty("runtime", out _));
        var cpp = list.EnumerateArray().Single(r => r.GetProperty("language").GetString() == "c++");
        Assert.Equal("gcc", cpp.GetProperty("runtime").GetString());
    }

    [Fact]
    public async Task A_text_plain_body_with_an_alias_and_a_range_runs_with_stdin_newline_and_args()
    {
        var r = await ExecuteAsync(new
        {
            language = "py",
            version = "3.x",
            files = new[] { new { content = "import sys\nprint(repr(sys.stdin.read()), sys.argv[1:])" } },
            stdin = "in",
            args = new[] { "a", "b c" },
        }, "/api/v2/execute/", "text/plain;charset=UTF-8");
        Assert.Equal("python", r.GetProperty("language").GetString());
        Assert.False(r.TryGetProperty("compile", out _));
        var run = r.GetProperty("run");
        Assert.Equal("'in\\n' ['a', 'b c']\n", run.GetProperty("stdout").GetString());
        Assert.Equal("", run.GetProperty("stderr").GetString());
        Assert.Equal(0, run.GetProperty("code").GetInt32());
        Assert.Equal(JsonValueKind.Null, run.GetProperty("signal").ValueKind);
        Assert.Equal(JsonValueKind.Null, run.GetProperty("status").ValueKind);
        Assert.True(run.GetProperty("wall_time").GetDouble() > 1, "milliseconds");
        Assert.True(run.GetProperty("memory").GetInt64() > 1_000_000, "bytes");
    }

    [Fact]
    public async Task Output_interleaves_stdout_and_stderr_in_the_order_the_program_wrote_them()
    {
        var r = await ExecuteAsync(new
        {
            language = "python",
            version = "*",
            files = new[] { new { name = "x.py", content = "import sys, time\nfor i in range(4):\n    (sys.stdout if i % 2 == 0 else sys.stderr).write(f'{i}\\n'); (sys.stdout if i % 2 == 0 else sys.stderr).flush(); time.sleep(0.05)\n" } },
        }, contentType: null);
        var run = r.GetProperty("run");
        Assert.Equal("0\n2\n", run.GetProperty("stdout").GetString());
        Assert.Equal("1\n3\n", run.GetProperty("stderr").GetString());
        Assert.Equal("0\n1\n2\n3\n", run.GetProperty("output").GetString());
    }

    [Fact]
    public async Task A_compile_error_repeats_the_compile_stage_as_run_and_a_compiled_program_has_both()
    {
        var bad = await ExecuteAsync(new { language = "c", version = "*", files = new[] { new { content = "int main(void) { return missing; }" } } });
        var compile = bad.GetProperty("compile");
        Assert.Equal("RE", compile.GetProperty("status").GetString());
        Assert.Contains("missing", compile.GetProperty("stderr").GetString());
        Assert.Equal(compile.GetRawText(), bad.GetProperty("run").GetRawText());

        var good = await ExecuteAsync(new
        {
            language = "c++",
            version = "^12",
            files = new[] { new { name = "prog.cpp", content = "#include <iostream>\nint main(int c, char** v){ std::cout << v[1] << std::endl; }" } },
            args = new[] { "arg" },
        });
        Assert.Equal(0, good.GetProperty("compile").GetProperty("code").GetInt32());
        Assert.Equal("arg\n", good.GetProperty("run").GetProperty("stdout").GetString());
    }

    [Fact]
    public async Task Timeouts_crashes_and_exit_codes_have_pistons_status_signal_and_code()
    {
        var timeout = (await ExecuteAsync(new { language = "python", version = "*", files = new[] { new { content = "while True: pass" } }, run_timeout = 500, run_cpu_time = 300 })).GetProperty("run");
        Assert.Equal("TO", timeout.GetProperty("status").GetString());
        Assert.Equal("SIGKILL", timeout.GetProperty("signal").GetString());
        Assert.Equal(JsonValueKind.Null, timeout.GetProperty("code").ValueKind);

        var crash = (await ExecuteAsync(new { language = "c", version = "*", files = new[] { new { content = "int main(void){ volatile int *p = 0; return *p; }" } } })).GetProperty("run");
        Assert.Equal("SG", crash.GetProperty("status").GetString());
        Assert.Equal("SIGSEGV", crash.GetProperty("signal").GetString());

        var exit = (await ExecuteAsync(new { language = "bash", version = "*", files = new[] { new { content = "echo no >&2; exit 4" } } })).GetProperty("run");
        Assert.Equal("RE", exit.GetProperty("status").GetString());
        Assert.Equal(4, exit.GetProperty("code").GetInt32());
        Assert.Equal("no\n", exit.GetProperty("output").GetString());
    }

    [Fact]
    public async Task Java_runs_any_public_class_name_and_files_may_be_base64_or_hex()
    {
        var java = await ExecuteAsync(new
        {
            language = "java",
            version = "*",
            files = new[] { new { content = "public class Hello { public static void main(String[] a) { System.out.println(\"hi \" + a[0]); } }" } },
            args = new[] { "x" },
        });
        Assert.Equal("hi x\n", java.GetProperty("run").GetProperty("stdout").GetString());

        var files = await ExecuteAsync(new
        {
            language = "python",
            version = "*",
            files = new object[]
            {
                new { name = "main.py", content = "print(open('data.bin','rb').read(), open('h.txt').read())" },
                new { name = "data.bin", content = Convert.ToBase64String([0, 255]), encoding = "base64" },
                new { name = "h.txt", content = "6869", encoding = "hex" },
            },
        });
        Assert.Equal("b'\\x00\\xff' hi\n", files.GetProperty("run").GetProperty("stdout").GetString());
    }

    [Theory]
    [InlineData("{}", "language is required as a string")]
    [InlineData("{\"language\":\"python\"}", "version is required as a string")]
    [InlineData("{\"language\":\"python\",\"version\":\"*\"}", "files is required as an array")]
    [InlineData("{\"language\":\"python\",\"version\":\"*\",\"files\":[{\"name\":\"a\"}]}", "files[0].content is required as a string")]
    [InlineData("{\"language\":\"cobol\",\"version\":\"*\",\"files\":[]}", "cobol-* runtime is unknown")]
    [InlineData("{\"language\":\"python\",\"version\":\"2.x\",\"files\":[]}", "python-2.x runtime is unknown")]
    [InlineData("{\"language\":\"python\",\"version\":\"*\",\"files\":[{\"content\":\"AA==\",\"encoding\":\"base64\"}]}", "files must include at least one utf8 encoded file")]
    [InlineData("{\"language\":\"python\",\"version\":\"*\",\"files\":[{\"content\":\"\"}],\"run_timeout\":\"5\"}", "If specified, run_timeout must be a number")]
    [InlineData("{\"language\":\"python\",\"version\":\"*\",\"files\":[{\"content\":\"\"}],\"run_timeout\":600000}", "run_timeout cannot exceed the configured limit of 60000")]
    [InlineData("{\"language\":\"python\",\"version\":\"*\",\"files\":[{\"content\":\"\"}],\"run_cpu_time\":-5}", "run_cpu_time must be non-negative")]
    [InlineData("{\"language\":\"python\",\"version\":\"*\",\"files\":[{\"content\":\"\"}],\"run_memory_limit\":-2}", "run_memory_limit must be non-negative")]
    [InlineData("{\"language\":\"python\",\"version\":\"*\",\"files\":[{\"name\":\"a/../../x\",\"content\":\"\"}]}", "File path \"a/../../x\" tries to escape parent directory")]
    [InlineData("not json", null)]
    public async Task A_bad_request_is_a_400_with_pistons_message(string body, string? message)
    {
        var (status, r) = await _client.PostTextAsync("/api/v2/execute", body);
        Assert.Equal(400, status);
        if (message is not null) Assert.Equal(message, r.GetProperty("message").GetString());
        else Assert.Equal(JsonValueKind.String, r.GetProperty("message").ValueKind);
    }

    [Fact]
    public async Task Unknown_paths_and_features_left_out_answer_json()
    {
        var (missing, notFound) = await _client.GetJsonAsync("/api/v2/nothing");
        Assert.Equal(404, missing);
        Assert.Equal("Not Found", notFound.GetProperty("message").GetString());
        var (connect, c) = await _client.GetJsonAsync("/api/v2/connect");
        Assert.Equal(501, connect);
        Assert.Contains("not supported", c.GetProperty("message").GetString());
        var (install, p) = await _client.PostJsonAsync("/api/v2/packages", new { language = "python", version = "3" });
        Assert.Equal(501, install);
        Assert.Contains("not supported", p.GetProperty("message").GetString());
    }

    [Fact]
    public async Task With_api_keys_piston_takes_authorization_x_api_key_or_the_key_in_the_path()
    {
        await fixture.WithHostAsync(new Dictionary<string, string?> { ["Runner:Roles"] = "api", ["Runner:ApiKeys:0"] = "k1" }, async host =>
        {
            var client = host.Client();
            var (status, body) = await client.GetJsonAsync("/api/v2/runtimes");
            Assert.Equal(401, status);
            Assert.Equal(JsonValueKind.String, body.GetProperty("message").ValueKind);
            Assert.Equal(200, (await client.GetJsonAsync("/piston/k1/api/v2/runtimes")).Status);
            Assert.Equal(401, (await client.GetJsonAsync("/piston/wrong/api/v2/runtimes")).Status);
            foreach (var (header, value) in new[] { ("Authorization", "k1"), ("Authorization", "Bearer k1"), ("X-Api-Key", "k1") })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v2/runtimes");
                request.Headers.TryAddWithoutValidation(header, value);
                Assert.Equal(200, (int)(await client.SendAsync(request)).StatusCode);
            }
        });
    }
}
