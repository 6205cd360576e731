using System.Text;
using System.Text.Json;
using Runner.Compat.Tests.Infrastructure;
using static Runner.Compat.Tests.Infrastructure.CompatHttpExtensions;

namespace Runner.Compat.Tests;

/// <summary>Judge0 CE 1.13.1's submissions API (section 1 and 4.1 of the compatibility notes) through a real host with real boxes.</summary>
[Collection("Compat")]
public sealed class Judge0SubmissionTests(CompatFixture fixture)
{
    private readonly HttpClient _client = fixture.Host.Client();

    /// <summary>The default field set (its key order follows Judge0's serializer, which clients do not depend on).</summary>
    private static readonly string[] DefaultFields = ["compile_output", "memory", "message", "status", "stderr", "stdout", "time", "token"];

    private async Task<JsonElement> RunAsync(object submission, string query = "base64_encoded=false&wait=true")
    {
        var (status, body) = await _client.PostJsonAsync($"/submissions?{query}", submission);
        Assert.True(status == 201, $"HTTP {status}: {body}");
        return body;
    }

    [Fact]
    public async Task A_create_without_wait_answers_201_with_only_a_version_4_token()
    {
        var (status, body) = await _client.PostJsonAsync("/submissions", new { source_code = "print(1)", language_id = 71 });
        Assert.Equal(201, status);
        Assert.Equal(["token"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal(4, Guid.Parse(body.GetProperty("token").GetString()!).Version);
    }

    [Fact]
    public async Task Wait_answers_201_with_the_default_fields_time_as_a_decimal_string_and_memory_in_kilobytes()
    {
        var r = await RunAsync(new { source_code = "print(input() * 2)", language_id = "71", stdin = "ab", expected_output = "abab" });
        Assert.Equal(DefaultFields, r.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal("abab\n", r.GetProperty("stdout").GetString());
        Assert.Equal(JsonValueKind.Null, r.GetProperty("stderr").ValueKind);
        Assert.Equal(JsonValueKind.Null, r.GetProperty("compile_output").ValueKind);
        Assert.Equal(JsonValueKind.Null, r.GetProperty("message").ValueKind);
        Assert.Matches(@"^\d+\.\d{1,3}$", r.GetProperty("time").GetString());
        var kb = r.GetProperty("memory").GetInt32();
        Assert.InRange(kb, 100, 512000);
        Assert.Equal(3, r.GetProperty("status").GetProperty("id").GetInt32());
        Assert.Equal("Accepted", r.GetProperty("status").GetProperty("description").GetString());
    }

    [Fact]
    public async Task Fields_star_is_exactly_judge0_1_13_1s_35_keys_with_dates_in_milliseconds_and_Z()
    {
        var token = (await RunAsync(new { source_code = "print(1)", language_id = 71 })).GetProperty("token").GetString();
        var (status, r) = await _client.GetJsonAsync($"/submissions/{token}?base64_encoded=true&fields=*");
        Assert.Equal(200, status);
        string[] expected =
        [
            "source_code", "language_id", "stdin", "expected_output", "stdout", "status_id", "created_at", "finished_at", "time",
            "memory", "stderr", "token", "number_of_runs", "cpu_time_limit", "cpu_extra_time", "wall_time_limit", "memory_limit",
            "stack_limit", "max_processes_and_or_threads", "enable_per_process_and_thread_time_limit",
            "enable_per_process_and_thread_memory_limit", "max_file_size", "compile_output", "exit_code", "exit_signal", "message",
            "wall_time", "compiler_options", "command_line_arguments", "redirect_stderr_to_stdout", "callback_url",
            "additional_files", "enable_network", "status", "language",
        ];
        Assert.Equal(expected.Order(), r.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", r.GetProperty("created_at").GetString());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", r.GetProperty("finished_at").GetString());
        Assert.Equal("5.0", r.GetProperty("cpu_time_limit").GetString());
        Assert.Equal("1.0", r.GetProperty("cpu_extra_time").GetString());
        Assert.Equal("10.0", r.GetProperty("wall_time_limit").GetString());
        Assert.Equal(128000, r.GetProperty("memory_limit").GetInt32());
        Assert.Equal(0, r.GetProperty("exit_code").GetInt32());
        Assert.Equal("cHJpbnQoMSk=", r.GetProperty("source_code").GetString());
        Assert.Equal(71, r.GetProperty("language").GetProperty("id").GetInt32());
        Assert.StartsWith("Python (3.", r.GetProperty("language").GetProperty("name").GetString());

        var (listed, some) = await _client.GetJsonAsync($"/submissions/{token}?fields=stdout,status_id");
        Assert.Equal(200, listed);
        Assert.Equal(["stdout", "status_id"], some.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Invalid_fields_are_a_400_naming_them_and_an_unknown_token_is_a_404()
    {
        var token = (await RunAsync(new { source_code = "print(1)", language_id = 71 })).GetProperty("token").GetString();
        var (status, body) = await _client.GetJsonAsync($"/submissions/{token}?fields=stdout,bogus,started_at");
        Assert.Equal(400, status);
        Assert.Equal("invalid fields: [bogus, started_at]", body.GetProperty("error").GetString());
        var unknown = await _client.GetAsync($"/submissions/{Guid.NewGuid()}");
        Assert.Equal(404, (int)unknown.StatusCode);
    }

    [Fact]
    public async Task Validation_errors_are_422_with_rails_messages_and_unknown_keys_are_ignored()
    {
        var (s1, missing) = await _client.PostJsonAsync("/submissions", new { input = "ignored", stdin = "x" });
        Assert.Equal(422, s1);
        Assert.Equal(["can't be blank"], missing.GetProperty("source_code").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["can't be blank", "language with id  doesn't exist"], missing.GetProperty("language_id").EnumerateArray().Select(e => e.GetString()));

        var (s2, unknown) = await _client.PostJsonAsync("/submissions", new { source_code = "x", language_id = 70 });
        Assert.Equal(422, s2);
        Assert.Equal("{\"language_id\":[\"language with id 70 doesn't exist\"]}", unknown.GetRawText());

        var (s3, limits) = await _client.PostJsonAsync("/submissions", new
        {
            source_code = "x",
            language_id = 71,
            cpu_time_limit = "16",
            memory_limit = 600000,
            enable_network = "true",
            additional_files = "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==",
            compiler_options = "-O2",
            enable_per_process_and_thread_time_limit = true,
            callback_url = "http://example.org/hook",
        });
        Assert.Equal(422, s3);
        string First(string key) => limits.GetProperty(key)[0].GetString()!;
        Assert.Equal("must be less than or equal to 15.0", First("cpu_time_limit"));
        Assert.Equal("must be less than or equal to 512000", First("memory_limit"));
        Assert.Equal("enabling network is not allowed", First("enable_network"));
        Assert.Equal("setting additional files is not allowed", First("additional_files"));
        Assert.Equal("setting compiler options is only allowed for compiled languages", First("compiler_options"));
        Assert.Equal("this option cannot be enabled", First("enable_per_process_and_thread_time_limit"));
        Assert.Equal("setting callback is not allowed", First("callback_url"));
    }

    [Fact]
    public async Task Base64_mode_returns_the_raw_bytes_of_invalid_utf8_output_and_text_mode_gives_judge0s_utf8_error()
    {
        var source = "import sys\nsys.stdout.buffer.write(b'\\xff\\xfeA\\x00')\nsys.stderr.buffer.write(b'\\x80')\n";
        var r = await RunAsync(new { source_code = B64(source), language_id = 71 }, "base64_encoded=true&wait=true");
        Assert.Equal(new byte[] { 0xff, 0xfe, 0x41, 0x00 }, Unb64(r.GetProperty("stdout")));
        Assert.Equal(new byte[] { 0x80 }, Unb64(r.GetProperty("stderr")));
        var token = r.GetProperty("token").GetString();

        var (status, text) = await _client.GetJsonAsync($"/submissions/{token}");
        Assert.Equal(400, status);
        Assert.Equal("some attributes for this submission cannot be converted to UTF-8, use base64_encoded=true query parameter",
            text.GetProperty("error").GetString());
        var waited = await RunAsync(new { source_code = source, language_id = 71 });
        Assert.Equal(["token", "error"], waited.EnumerateObject().Select(p => p.Name));
        var (batch, many) = await _client.GetJsonAsync($"/submissions/batch?tokens={token}");
        Assert.Equal(400, batch);
        Assert.StartsWith("some attributes for one or more submissions", many.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Non_ascii_text_round_trips_in_both_modes()
    {
        var r = await RunAsync(new { source_code = "print(input()[::-1], 'ünïcödé ✓')", language_id = 71, stdin = "€ab" });
        Assert.Equal("ba€ ünïcödé ✓\n", r.GetProperty("stdout").GetString());
        var b = await RunAsync(new { source_code = B64("print(input(), '✓')"), language_id = 71, stdin = B64("日本") }, "base64_encoded=true&wait=true");
        Assert.Equal("日本 ✓\n", Encoding.UTF8.GetString(Unb64(b.GetProperty("stdout"))));
    }

    [Fact]
    public async Task A_batch_answers_each_item_in_order_and_a_batch_get_has_null_for_an_unknown_token()
    {
        var (status, created) = await _client.PostJsonAsync("/submissions/batch?base64_encoded=true", new
        {
            submissions = new object[]
            {
                new { source_code = B64("print('one')"), language_id = 71 },
                new { source_code = B64("x"), language_id = 999 },
                new { source_code = B64("#include <stdio.h>\nint main(void){puts(\"two\");}"), language_id = 50 },
            },
        });
        Assert.Equal(201, status);
        Assert.Equal(3, created.GetArrayLength());
        Assert.Equal("language with id 999 doesn't exist", created[1].GetProperty("language_id")[0].GetString());
        var tokens = new[] { created[0].GetProperty("token").GetString(), Guid.NewGuid().ToString(), created[2].GetProperty("token").GetString() };

        var got = await PollBatchAsync(tokens, "base64_encoded=true&fields=stdout,status_id,token");
        Assert.Equal(JsonValueKind.Null, got[1].ValueKind);
        Assert.Equal("one\n", Encoding.UTF8.GetString(Unb64(got[0].GetProperty("stdout"))));
        Assert.Equal("two\n", Encoding.UTF8.GetString(Unb64(got[2].GetProperty("stdout"))));

        var (allBad, errors) = await _client.PostJsonAsync("/submissions/batch", new { submissions = new[] { new { language_id = 71 } } });
        Assert.Equal(422, allBad);
        Assert.Equal("can't be blank", errors[0].GetProperty("source_code")[0].GetString());
        var (empty, none) = await _client.PostJsonAsync("/submissions/batch", new { submissions = Array.Empty<object>() });
        Assert.Equal(400, empty);
        Assert.Equal("there should be at least one submission in a batch", none.GetProperty("error").GetString());
        var (big, tooMany) = await _client.PostJsonAsync("/submissions/batch", new { submissions = Enumerable.Repeat(new { source_code = "1", language_id = 71 }, 21) });
        Assert.Equal(400, big);
        Assert.Equal("number of submissions in a batch should be less than or equal to 20", tooMany.GetProperty("error").GetString());
        var (getBig, _) = await _client.GetJsonAsync("/submissions/batch?tokens=" + string.Join(',', Enumerable.Range(0, 21).Select(_ => Guid.NewGuid())));
        Assert.Equal(400, getBig);
    }

    /// <summary>Polls the batch GET until no submission is queued or processing.</summary>
    private async Task<JsonElement> PollBatchAsync(IEnumerable<string?> tokens, string query)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (true)
        {
            var (status, body) = await _client.GetJsonAsync($"/submissions/batch?tokens={string.Join(',', tokens)}&{query}");
            Assert.Equal(200, status);
            var items = body.GetProperty("submissions");
            if (items.EnumerateArray().All(i => i.ValueKind == JsonValueKind.Null || i.GetProperty("status_id").GetInt32() > 2)) return items;
            Assert.True(DateTime.UtcNow < deadline, $"still running: {body}");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Arguments_are_split_as_bash_would_without_expansion_and_compiler_options_reach_the_compiler()
    {
        var r = await RunAsync(new
        {
            source_code = "import sys, json\nprint(json.dumps(sys.argv[1:]))",
            language_id = 71,
            command_line_arguments = "a \"b c\" d\\ e '$HOME' x;y",
        });
        Assert.Equal("[\"a\", \"b c\", \"d e\", \"HOME\", \"xy\"]\n", r.GetProperty("stdout").GetString());
        var c = await RunAsync(new { source_code = "#include <stdio.h>\nint main(void){printf(\"%d\\n\", VALUE);}", language_id = 54, compiler_options = "-DVALUE=42" });
        Assert.Equal("42\n", c.GetProperty("stdout").GetString());
    }

    [Fact]
    public async Task Redirect_stderr_to_stdout_merges_the_streams_and_expected_output_ignores_trailing_whitespace()
    {
        var r = await RunAsync(new
        {
            source_code = "import sys\nprint('out', flush=True)\nprint('err', file=sys.stderr, flush=True)",
            language_id = 71,
            redirect_stderr_to_stdout = true,
            expected_output = "out  \nerr\n\n",
        });
        Assert.Equal("out\nerr\n", r.GetProperty("stdout").GetString());
        Assert.Equal(JsonValueKind.Null, r.GetProperty("stderr").ValueKind);
        Assert.Equal(3, r.GetProperty("status").GetProperty("id").GetInt32());
    }

    [Fact]
    public async Task Cpu_extra_time_lets_the_program_finish_but_the_verdict_is_still_time_limit_exceeded()
    {
        var r = await RunAsync(new
        {
            source_code = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.7: pass\nprint('done')",
            language_id = 71,
            cpu_time_limit = 0.4,
            cpu_extra_time = 2,
        });
        Assert.Equal("done\n", r.GetProperty("stdout").GetString());
        Assert.Equal(5, r.GetProperty("status").GetProperty("id").GetInt32());
        Assert.True(double.Parse(r.GetProperty("time").GetString()!, System.Globalization.CultureInfo.InvariantCulture) > 0.4);
    }

    [Fact]
    public async Task A_judge0_submission_is_visible_through_the_native_api_and_number_of_runs_repeats()
    {
        var r = await RunAsync(new { source_code = "print(2)", language_id = 71, expected_output = "2", number_of_runs = 2 });
        var token = r.GetProperty("token").GetString();
        var (status, native) = await _client.GetJsonAsync($"/api/v1/submissions/{token}");
        Assert.Equal(200, status);
        Assert.Equal("accepted", native.GetProperty("verdict").GetString());
        Assert.Equal("python", native.GetProperty("language").GetString());
        var (_, all) = await _client.GetJsonAsync($"/submissions/{token}?fields=number_of_runs");
        Assert.Equal(2, all.GetProperty("number_of_runs").GetInt32());
    }

    [Fact]
    public async Task A_callback_is_a_put_of_the_default_fields_always_in_base64()
    {
        await using var listener = new Runner.Api.Tests.Infrastructure.CallbackListener();
        var (status, created) = await _client.PostJsonAsync("/submissions", new { source_code = "print('hi')", language_id = 71, callback_url = listener.Url });
        Assert.Equal(201, status);
        var received = await listener.WaitForAsync(TimeSpan.FromMinutes(1));
        Assert.Equal("PUT", received.Method);
        var body = JsonDocument.Parse(received.Body).RootElement;
        Assert.Equal(DefaultFields, body.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(created.GetProperty("token").GetString(), body.GetProperty("token").GetString());
        Assert.Equal("hi\n", Encoding.UTF8.GetString(Unb64(body.GetProperty("stdout"))));
    }
}
