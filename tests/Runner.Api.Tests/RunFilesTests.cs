using Runner.Api.Tests.Infrastructure;

namespace Runner.Api.Tests;

/// <summary>
/// Where /runs puts its files and who owns them: a work root only this service can change
/// (else a local user could redirect its writes), and uploaded files the box can write.
/// </summary>
[Collection("Service")]
public sealed class RunFilesTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private const uint Nobody = 65534;

    [Fact]
    public async Task A_run_refuses_a_work_root_another_local_user_owns_and_writes_nothing_there()
    {
        // What an attacker does first: create the work root, world-writable, as themselves.
        var planted = Directory.CreateTempSubdirectory("runner-planted-root-").FullName;
        File.SetUnixFileMode(planted, (UnixFileMode)0x1ff);
        Chown(planted, Nobody);
        try
        {
            await using var host = TestHosts.Api(await postgres.CreateDatabaseAsync(), new Dictionary<string, string?> { ["Runner:WorkRoot"] = planted });
            var r = await host.Client().PostJson("/api/v1/runs?wait=true", new
            {
                files = new Dictionary<string, object> { ["payload.txt"] = new { content = "request-chosen content" } },
                command = new[] { "true" },
            });
            var body = await r.Expect(200);
            Assert.Equal("internal_error", body.GetProperty("status").GetString());
            Assert.Contains($"belongs to uid {Nobody}", body.GetProperty("message").GetString());

            var judged = await (await host.Client().PostJson("/api/v1/submissions?wait=true", new
            {
                language = TestHosts.Python,
                source = Programs.EchoPython,
            })).Expect(200);
            Assert.Equal("internal_error", judged.GetProperty("verdict").GetString());
            Assert.Contains($"belongs to uid {Nobody}", judged.GetProperty("message").GetString());
            Assert.Empty(Directory.EnumerateFileSystemEntries(planted, "*", SearchOption.AllDirectories));
        }
        finally
        {
            Directory.Delete(planted, recursive: true);
        }
    }

    [Fact]
    public async Task Uploaded_files_and_their_directories_belong_to_the_box_so_it_can_write_them()
    {
        await using var host = TestHosts.Api(await postgres.CreateDatabaseAsync());
        var r = await host.Client().PostJson("/api/v1/runs?wait=true", new
        {
            files = new Dictionary<string, object>
            {
                ["src/main.sh"] = new { content = "echo built\n" },
                ["input.txt"] = new { content = "a\n" },
            },
            command = new[] { "sh", "-c", "echo b >> input.txt && sh src/main.sh > src/out.txt && rm src/main.sh && cat input.txt src/out.txt" },
        });
        var body = await r.Expect(200);
        Assert.True(body.GetProperty("status").GetString() == "ok", body.ToString());
        Assert.Equal("a\nb\nbuilt\n", body.GetProperty("stdout").GetString());
    }

    private static void Chown(string path, uint uid)
    {
        using var p = System.Diagnostics.Process.Start("chown", [uid.ToString(System.Globalization.CultureInfo.InvariantCulture), path])!;
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }
}
