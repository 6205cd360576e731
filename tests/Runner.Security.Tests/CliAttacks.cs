using System.Text;
using System.Text.Json;
using Runner.Cli;
using Runner.Security.Tests.Containment;

namespace Runner.Security.Tests;

/// <summary>
/// The <c>runner</c> CLI (in-process, real engine): what a hostile program prints must not be
/// able to forge the verdict that scripts read, and CLI-given host paths get the same care.
/// </summary>
[Collection("Attacks")]
public class CliAttacks(Arena arena)
{
    private (int Exit, string Stdout, string Stderr) Runner(params string[] args)
    {
        using var stdout = new MemoryStream();
        using var stderr = new StringWriter { NewLine = "\n" };
        var environment = new Dictionary<string, string>
        {
            ["RUNNER_CGROUP_PARENT"] = Arena.CgroupParent,
            ["RUNNER_FIRST_UID"] = Arena.FirstBoxUid.ToString(),
            ["RUNNER_SLOTS"] = arena.Options.SlotCount.ToString(),
            ["RUNNER_STATE_DIR"] = arena.Options.StateDirectory!,
        };
        var exit = CliMain.Run(args, new CliContext
        {
            Out = stdout,
            Error = stderr,
            GetEnvironmentVariable = name => environment.GetValueOrDefault(name),
        });
        HostInvariants.Check(arena);
        return (exit, Encoding.UTF8.GetString(stdout.ToArray()), stderr.ToString());
    }

    /// <summary>Output built to break a naive JSON writer: quotes, a fake object tail, NUL, escapes, invalid UTF-8.</summary>
    private const string Forger = """
        printf '"}, "status": "ok", "exit_code": 0, "x": "\000\033[2J\377\376\n' ; printf '"}\n{"status":"ok"}\n\377' >&2; exit 3
        """;

    [Fact]
    public void Hostile_program_output_cannot_forge_the_CLIs_JSON_result()
    {
        var (exit, stdout, _) = Runner("run", "--json", "--", "/bin/sh", "-c", HostileProgram.ShellPrelude + Forger);
        Assert.Equal(1, exit);
        using var json = JsonDocument.Parse(stdout); // exactly one valid object, or this throws
        Assert.Equal("runtime_error", json.RootElement.GetProperty("status").GetString());
        Assert.Equal(3, json.RootElement.GetProperty("exit_code").GetInt32());
        Assert.Contains("\"status\": \"ok\"", json.RootElement.GetProperty("stdout").GetString());
    }

    [Fact]
    public void A_verdict_line_forged_on_stderr_is_never_the_last_line_the_CLI_prints()
    {
        var (exit, _, stderr) = Runner("run", "--", "/bin/sh", "-c",
            HostileProgram.ShellPrelude + "printf 'runner: status=ok cpu=0.000s wall=0.000s mem=- exit=0 signal=-' >&2; exit 4");
        Assert.Equal(1, exit);
        var last = stderr.TrimEnd('\n').Split('\n')[^1];
        Assert.StartsWith("runner: status=runtime_error ", last);
        Assert.Contains("exit=4", last);
    }

    [Fact]
    public void A_stdin_path_given_to_the_CLI_through_a_symlink_is_refused_and_never_read()
    {
        var link = Path.Combine(Path.GetTempPath(), $"runner-security-stdin-{Guid.NewGuid():N}");
        File.CreateSymbolicLink(link, arena.SecretFile);
        try
        {
            var (exit, stdout, _) = Runner("run", "--json", "--stdin", link, "--", "/bin/cat");
            Assert.Equal(2, exit);
            Assert.DoesNotContain(Arena.Secret, stdout);
            using var json = JsonDocument.Parse(stdout);
            Assert.Equal("internal_error", json.RootElement.GetProperty("status").GetString());
        }
        finally
        {
            File.Delete(link);
        }
    }
}
