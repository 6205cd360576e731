using System.Text.Json;
using Runner.Compat.Tests.Infrastructure;

namespace Runner.Compat.Tests;

/// <summary>Each Judge0 status a program can cause, from real programs in real boxes, submitted as one batch.</summary>
[Collection("Compat")]
public sealed class Judge0StatusTests(CompatFixture fixture)
{
    private const string C = "#include <stdio.h>\n#include <stdlib.h>\n";

    /// <summary>(name, submission, status id, exit_code, exit_signal, message).</summary>
    private static readonly (string Name, object Submission, int Status, int? ExitCode, int? Signal, string? Message)[] Cases =
    [
        ("accepted", new { source_code = "print('ok')", language_id = 71, expected_output = "ok" }, 3, 0, null, null),
        ("wrong answer", new { source_code = "print(1)", language_id = 71, expected_output = "2" }, 4, 0, null, null),
        ("cpu time", new { source_code = "while True: pass", language_id = 71, cpu_time_limit = 0.3, cpu_extra_time = 0 }, 5, 0, 9, "Time limit exceeded"),
        ("wall time", new { source_code = "import time\ntime.sleep(10)", language_id = 71, wall_time_limit = 1, cpu_extra_time = 0 }, 5, 0, 9, "Time limit exceeded (wall clock)"),
        ("compile error", new { source_code = "int main(void) { return missing; }", language_id = 50 }, 6, null, null, null),
        ("sigsegv", new { source_code = C + "int main(void) { volatile int *p = 0; *p = 1; return 0; }", language_id = 50 }, 7, 0, 11, "Caught fatal signal 11"),
        ("sigxfsz", new { source_code = "print('x' * 5000)", language_id = 71, max_file_size = 1 }, 8, 0, 25, "Caught fatal signal 25"),
        ("sigfpe", new { source_code = C + "int main(void) { volatile int a = 1, b = 0; return a / b; }", language_id = 50 }, 9, 0, 8, "Caught fatal signal 8"),
        ("sigabrt", new { source_code = C + "int main(void) { abort(); }", language_id = 54 }, 10, 0, 6, "Caught fatal signal 6"),
        ("nzec", new { source_code = "import sys\nsys.exit(3)", language_id = 71 }, 11, 3, null, "Exited with error status 3"),
        ("python syntax error", new { source_code = "print(", language_id = 71 }, 11, 1, null, "Exited with error status 1"),
        ("other signal", new { source_code = "import os, signal\nos.kill(os.getpid(), signal.SIGUSR1)", language_id = 71 }, 12, 0, 10, "Caught fatal signal 10"),
    ];

    [Fact]
    public async Task Each_status_from_3_to_12_comes_from_a_real_program_with_judge0s_exit_code_signal_and_message()
    {
        var client = fixture.Host.Client();
        var (status, created) = await client.PostJsonAsync("/submissions/batch", new { submissions = Cases.Select(c => c.Submission).ToArray() });
        Assert.True(status == 201, created.ToString());
        var tokens = created.EnumerateArray().Select(t => t.GetProperty("token").GetString()).ToList();

        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        JsonElement items;
        while (true)
        {
            var (s, body) = await client.GetJsonAsync($"/submissions/batch?tokens={string.Join(',', tokens)}&fields=status,exit_code,exit_signal,message,stderr,compile_output");
            Assert.Equal(200, s);
            items = body.GetProperty("submissions");
            if (items.EnumerateArray().All(i => i.GetProperty("status").GetProperty("id").GetInt32() > 2)) break;
            Assert.True(DateTime.UtcNow < deadline, body.ToString());
            await Task.Delay(200);
        }

        for (var i = 0; i < Cases.Length; i++)
        {
            var (name, _, id, exit, signal, message) = Cases[i];
            var item = items[i];
            var seen = $"{name}: {item}";
            Assert.True(id == item.GetProperty("status").GetProperty("id").GetInt32(), seen);
            Assert.True(exit == Int(item.GetProperty("exit_code")), seen);
            Assert.True(signal == Int(item.GetProperty("exit_signal")), seen);
            Assert.True(message == item.GetProperty("message").GetString(), seen);
        }
        var compile = items[4].GetProperty("compile_output").GetString();
        Assert.Contains("missing", compile);
        // An interpreted language has no compile step here: the syntax error is the run's stderr.
        Assert.Equal(JsonValueKind.Null, items[10].GetProperty("compile_output").ValueKind);
        Assert.Contains("SyntaxError", items[10].GetProperty("stderr").GetString());
    }

    private static int? Int(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetInt32();
}
