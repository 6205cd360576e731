using Npgsql;
using NpgsqlTypes;
using Runner.Api.Storage;

namespace Runner.Api.StoredProblems;

/// <summary>runner.problem_packages (one row per content hash) and runner.problem_versions (migration 006).</summary>
public sealed class PostgresProblemStore(NpgsqlDataSource dataSource) : IProblemStore
{
    private const string Columns = "v.problem, v.version, v.uploaded_at, v.retired_at, length(p.package), v.definition";
    private const string From = "runner.problem_versions v JOIN runner.problem_packages p ON p.version = v.version";

    public async Task<bool> PutAsync(ProblemVersion version, byte[] package, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var cmd = new NpgsqlCommand("INSERT INTO runner.problem_packages (version, package) VALUES ($1, $2) ON CONFLICT (version) DO NOTHING", conn, tx))
        {
            cmd.Parameters.Add(new() { Value = version.Version });
            cmd.Parameters.Add(new() { Value = package, NpgsqlDbType = NpgsqlDbType.Bytea });
            await cmd.ExecuteNonQueryAsync(ct);
        }
        bool created;
        // xmax = 0 only on a row this statement inserted (not one it updated).
        await using (var cmd = new NpgsqlCommand("""
            INSERT INTO runner.problem_versions (problem, version, definition, uploaded_at) VALUES ($1, $2, $3, now())
            ON CONFLICT (problem, version) DO UPDATE SET retired_at = NULL, uploaded_at = now()
            RETURNING (xmax = 0)
            """, conn, tx))
        {
            cmd.Parameters.Add(new() { Value = version.Problem });
            cmd.Parameters.Add(new() { Value = version.Version });
            cmd.Parameters.Add(new() { Value = StoreJson.Serialize(version.Definition), NpgsqlDbType = NpgsqlDbType.Json });
            created = (bool)(await cmd.ExecuteScalarAsync(ct))!;
        }
        await tx.CommitAsync(ct);
        return created;
    }

    public async Task<IReadOnlyList<ProblemVersion>> ListAsync(string problem, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand($"SELECT {Columns} FROM {From} WHERE v.problem = $1 ORDER BY v.uploaded_at DESC");
        cmd.Parameters.Add(new() { Value = problem });
        return await ReadAllAsync(cmd, ct);
    }

    public async Task<ProblemVersion?> GetAsync(string problem, string version, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand($"SELECT {Columns} FROM {From} WHERE v.problem = $1 AND v.version = $2");
        cmd.Parameters.Add(new() { Value = problem });
        cmd.Parameters.Add(new() { Value = version });
        return (await ReadAllAsync(cmd, ct)).FirstOrDefault();
    }

    public async Task<bool> RetireAsync(string problem, string version, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(
            "UPDATE runner.problem_versions SET retired_at = coalesce(retired_at, now()) WHERE problem = $1 AND version = $2");
        cmd.Parameters.Add(new() { Value = problem });
        cmd.Parameters.Add(new() { Value = version });
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    public async Task<byte[]?> GetPackageAsync(string version, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("SELECT package FROM runner.problem_packages WHERE version = $1");
        cmd.Parameters.Add(new() { Value = version });
        return await cmd.ExecuteScalarAsync(ct) as byte[];
    }

    private static async Task<IReadOnlyList<ProblemVersion>> ReadAllAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        var list = new List<ProblemVersion>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            list.Add(new ProblemVersion
            {
                Problem = r.GetString(0),
                Version = r.GetString(1),
                UploadedAt = r.GetFieldValue<DateTimeOffset>(2),
                RetiredAt = r.IsDBNull(3) ? null : r.GetFieldValue<DateTimeOffset>(3),
                PackageBytes = r.GetInt32(4),
                Definition = StoreJson.Deserialize<ProblemDefinition>(r.GetString(5)),
            });
        return list;
    }
}
