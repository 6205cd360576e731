using System.Text;
using Runner.Api.Tests.Infrastructure;

namespace Runner.Api.Tests;

/// <summary>POST /api/v1/runs in real boxes: files in, argv, copy-out that never follows a planted link.</summary>
[Collection("Service")]
public sealed class RunsTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task A_run_gets_its_files_stdin_and_argv_and_returns_the_copied_out_files()
    {
        await using var host = TestHosts.Api(await postgres.CreateDatabaseAsync());
        var r = await host.Client().PostJson("/api/v1/runs?wait=true", new
        {
            files = new Dictionary<string, object>
            {
                ["main.sh"] = new { content = "read x; echo \"got $x\"; echo built > out/result.txt; printf '\\000\\001' > out/raw.bin" },
                ["data/blob.bin"] = new { base64 = Convert.ToBase64String([1, 2, 3]) },
            },
            command = new[] { "sh", "-c", "mkdir out && sh main.sh && cat data/blob.bin | wc -c" },
            stdin = "hello\n",
            copy_out = new[] { "out/result.txt", "/box/out/raw.bin" },
        });
        var body = await r.Expect(200);
        Assert.Equal("ok", body.GetProperty("status").GetString());
        Assert.Equal(0, body.GetProperty("exit_code").GetInt32());
        Assert.Equal("got hello\n3\n", body.GetProperty("stdout").GetString());
        var files = body.GetProperty("files").EnumerateArray().ToList();
        Assert.Equal("built\n", Encoding.UTF8.GetString(Convert.FromBase64String(files[0].GetProperty("base64").GetString()!)));
        Assert.Equal(new byte[] { 0, 1 }, Convert.FromBase64String(files[1].GetProperty("base64").GetString()!));
    }

    [Fact]
    public async Task A_command_the_box_cannot_execute_is_a_400_naming_command()
    {
        await using var host = TestHosts.Api(await postgres.CreateDatabaseAsync());
        var r = await host.Client().PostJson("/api/v1/runs?wait=true", new { command = new[] { "no-such-program-anywhere", "x" } });
        var body = await r.Expect(400);
        var message = body.GetProperty("errors").GetProperty("command")[0].GetString();
        Assert.StartsWith("'no-such-program-anywhere' is not in the box's PATH", message);
    }

    [Fact]
    public async Task Copy_out_refuses_a_symlink_the_box_planted_to_a_host_file()
    {
        // A host file only the host can name: if copy-out followed the link, its content would come back.
        var secretDir = Directory.CreateTempSubdirectory("runner-secret-");
        var secret = Path.Combine(secretDir.FullName, "secret.txt");
        await File.WriteAllTextAsync(secret, "HOST SECRET");
        try
        {
            await using var host = TestHosts.Api(await postgres.CreateDatabaseAsync());
            var r = await host.Client().PostJson("/api/v1/runs?wait=true", new
            {
                // The program refuses to act unless it is in a box (hostname sandbox, low pid).
                command = new[]
                {
                    "sh", "-c",
                    $"[ \"$(hostname)\" = sandbox ] && [ $$ -lt 10 ] || exit 99; " +
                    $"ln -s {secret} leak.txt && mkdir d && ln -s {secretDir.FullName} d/up && ln -s /etc/passwd passwd",
                },
                copy_out = new[] { "leak.txt", "d/up/secret.txt", "passwd", "../" + Path.GetFileName(secret) },
            });
            var body = await r.Expect(400);
            Assert.True(body.GetProperty("errors").TryGetProperty("copy_out[3]", out _), body.ToString());

            r = await host.Client().PostJson("/api/v1/runs?wait=true", new
            {
                command = new[]
                {
                    "sh", "-c",
                    $"[ \"$(hostname)\" = sandbox ] && [ $$ -lt 10 ] || exit 99; " +
                    $"ln -s {secret} leak.txt && mkdir d && ln -s {secretDir.FullName} d/up && ln -s /etc/passwd passwd",
                },
                copy_out = new[] { "leak.txt", "d/up/secret.txt", "passwd" },
            });
            body = await r.Expect(200);
            Assert.Equal("ok", body.GetProperty("status").GetString());
            foreach (var f in body.GetProperty("files").EnumerateArray())
            {
                Assert.Equal(System.Text.Json.JsonValueKind.Null, f.GetProperty("base64").ValueKind);
                Assert.Contains("symbolic link", f.GetProperty("error").GetString());
            }
            Assert.DoesNotContain("HOST SECRET", body.ToString());
        }
        finally
        {
            secretDir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Copy_out_refuses_directories_fifos_and_files_over_the_cap()
    {
        await using var host = TestHosts.Api(await postgres.CreateDatabaseAsync(), new Dictionary<string, string?> { ["Runner:Limits:MaxCopyOutBytes"] = "10" });
        var r = await host.Client().PostJson("/api/v1/runs?wait=true", new
        {
            command = new[] { "sh", "-c", "mkdir dir && mkfifo fifo && head -c 11 /dev/zero > big" },
            copy_out = new[] { "dir", "fifo", "big", "missing" },
        });
        var files = (await r.Expect(200)).GetProperty("files").EnumerateArray().Select(f => f.GetProperty("error").GetString()!).ToList();
        Assert.Contains("not a regular file", files[0]);
        Assert.Contains("not a regular file", files[1]);
        Assert.Contains("over the copy-out cap", files[2]);
        Assert.Contains("no such file", files[3]);
    }

    [Fact]
    public async Task A_run_with_a_missing_command_is_a_400_naming_command()
    {
        await using var host = TestHosts.Api(await postgres.CreateDatabaseAsync());
        var r = await host.Client().PostJson("/api/v1/runs?wait=true", new { files = new Dictionary<string, object> { ["../x"] = new { content = "" } } });
        var errors = (await r.Expect(400)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("command", out _), errors.ToString());
        Assert.True(errors.TryGetProperty("files.../x", out _), errors.ToString());
    }

    [Fact]
    public async Task Two_files_that_name_one_path_or_a_file_and_its_directory_are_a_400_naming_the_second()
    {
        await using var host = TestHosts.Api(await postgres.CreateDatabaseAsync());
        var r = await host.Client().PostJson("/api/v1/runs?wait=true", new
        {
            files = new Dictionary<string, object>
            {
                ["a.txt"] = new { content = "1" },
                ["/box/a.txt"] = new { content = "2" },
                ["d"] = new { content = "3" },
                ["d/e"] = new { content = "4" },
            },
            command = new[] { "true" },
        });
        var errors = (await r.Expect(400)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("files./box/a.txt", out _), errors.ToString());
        Assert.True(errors.TryGetProperty("files.d/e", out _), errors.ToString());
        Assert.False(errors.TryGetProperty("files.a.txt", out _), errors.ToString());
    }
}
