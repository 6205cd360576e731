using Npgsql;
using Runner.Api.Tests.Infrastructure;

namespace Runner.Api.Tests;

/// <summary>
/// What a client sends and what a program prints comes back exactly from PostgreSQL, U+0000
/// included; and a result the database refuses becomes an internal_error instead of a job
/// Hangfire re-runs again and again.
/// </summary>
[Collection("Service")]
public sealed class StoredTextTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    /// <summary>Echoes stdin, then one NUL byte. The comment holds a NUL too (gcc warns and ignores it).</summary>
    private const string EchoThenNulC =
        "#include <stdio.h>\n/* a NUL: \0 */\nint main(void) { int c; while ((c = getchar()) != EOF) putchar(c); putchar(0); return 0; }\n";

    [Fact]
    public async Task NUL_in_the_source_the_input_a_test_name_and_the_output_is_stored_and_returned_exactly()
    {
        await using var host = TestHosts.Api(await postgres.CreateDatabaseAsync());
        var client = host.Client();
        var r = await client.PostJson("/api/v1/submissions?wait=true", new
        {
            language = "c",
            source = EchoThenNulC,
            checker = new { type = "exact" },
            tests = new[] { new { name = "nul\0name", input = "a\0b\n", expected_output = "a\0b\n\0" } },
        });
        var body = await r.Expect(200);
        var id = body.GetProperty("id").GetString()!;
        var stored = await (await client.GetAsync($"/api/v1/submissions/{id}")).Expect(200);
        foreach (var view in new[] { body, stored })
        {
            Assert.True(view.GetProperty("verdict").GetString() == "accepted", view.ToString());
            var test = Assert.Single(view.GetProperty("tests").EnumerateArray());
            Assert.Equal("nul\0name", test.GetProperty("name").GetString());
            Assert.Equal("a\0b\n\0", test.GetProperty("output_excerpt").GetString());
        }
    }

    [Fact]
    public async Task A_result_the_database_refuses_is_stored_as_an_internal_error_after_one_run()
    {
        var db = await postgres.CreateDatabaseAsync();
        await using var host = TestHosts.Api(db);
        var client = host.Client();
        await client.GetAsync("/api/v1/languages"); // the host has started and migrated the schema

        // A real refusal by the real server, as a value PostgreSQL cannot store would cause:
        // the trigger rejects any result that mentions the program's marker.
        await using (var conn = new NpgsqlConnection(db))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("""
                CREATE FUNCTION runner.refuse_marked_results() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF NEW.result::text LIKE '%refuse-me%' THEN RAISE EXCEPTION 'this result is refused'; END IF;
                    RETURN NEW;
                END $$;
                CREATE TRIGGER refuse_marked_results BEFORE UPDATE ON runner.submissions
                    FOR EACH ROW EXECUTE FUNCTION runner.refuse_marked_results();
                """, conn);
            await cmd.ExecuteNonQueryAsync();
        }

        var r = await client.PostJson("/api/v1/submissions", new
        {
            language = TestHosts.Python,
            source = "print('refuse-me')\n",
        });
        var id = (await r.Expect(202)).GetProperty("id").GetString()!;
        var done = await Programs.PollUntilFinishedAsync(client, id, TimeSpan.FromSeconds(60));
        Assert.Equal("internal_error", done.GetProperty("verdict").GetString());
        Assert.Contains("could not be stored", done.GetProperty("message").GetString());

        await using var check = new NpgsqlConnection(db);
        await check.OpenAsync();
        await using var attempts = new NpgsqlCommand("SELECT attempts FROM runner.submissions WHERE id = $1", check);
        attempts.Parameters.Add(new() { Value = Guid.Parse(id) });
        Assert.Equal(1, (int)(await attempts.ExecuteScalarAsync())!);
    }
}
