using System.Reflection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Runner.Api.Storage;

/// <summary>
/// Brings the runner schema up to date at start-up: ordered SQL files embedded from
/// Storage/Migrations, each applied once in its own transaction and recorded in
/// runner.schema_version. An advisory lock serialises api and worker processes that start
/// together against one database.
/// </summary>
public sealed class SchemaMigrator(NpgsqlDataSource dataSource, ILogger<SchemaMigrator> logger)
{
    private const long LockKey = 0x52554e4e4552; // "RUNNER"

    public static IReadOnlyList<(int Version, string Name, string Sql)> Migrations { get; } = LoadMigrations();

    public async Task MigrateAsync(CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using (var tx = await conn.BeginTransactionAsync(ct))
        {
            await Exec(conn, tx, $"SELECT pg_advisory_xact_lock({LockKey})", ct);
            await Exec(conn, tx, "CREATE SCHEMA IF NOT EXISTS runner", ct);
            await Exec(conn, tx, "CREATE TABLE IF NOT EXISTS runner.schema_version (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())", ct);
            var applied = new HashSet<int>();
            await using (var cmd = new NpgsqlCommand("SELECT version FROM runner.schema_version", conn, tx))
            await using (var reader = await cmd.ExecuteReaderAsync(ct))
                while (await reader.ReadAsync(ct)) applied.Add(reader.GetInt32(0));

            foreach (var (version, name, sql) in Migrations.Where(m => !applied.Contains(m.Version)))
            {
                await Exec(conn, tx, sql, ct);
                await using var record = new NpgsqlCommand("INSERT INTO runner.schema_version (version, name) VALUES ($1, $2)", conn, tx);
                record.Parameters.Add(new() { Value = version });
                record.Parameters.Add(new() { Value = name });
                await record.ExecuteNonQueryAsync(ct);
                logger.LogInformation("Applied schema migration {Version} ({Name})", version, name);
            }
            await tx.CommitAsync(ct);
        }
    }

    private static async Task Exec(NpgsqlConnection conn, NpgsqlTransaction tx, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static List<(int, string, string)> LoadMigrations()
    {
        var assembly = Assembly.GetExecutingAssembly();
        const string prefix = "Runner.Api.Storage.Migrations.";
        var list = new List<(int, string, string)>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var name = resource[prefix.Length..^".sql".Length];
            var version = int.Parse(name.AsSpan(0, name.IndexOf('_')), System.Globalization.CultureInfo.InvariantCulture);
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            list.Add((version, name, reader.ReadToEnd()));
        }
        if (list.Count == 0) throw new InvalidOperationException("no schema migrations are embedded in Runner.Api; the build is broken");
        return list;
    }
}
