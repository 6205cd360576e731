using Npgsql;
using NpgsqlTypes;
using Runner.Api.Contracts;
using Runner.Api.Storage;

namespace Runner.Api.Languages;

/// <summary>runner.worker_languages: one row per worker process, expiry set by the database clock.</summary>
public sealed class PostgresWorkerLanguageRegistry(NpgsqlDataSource dataSource) : IWorkerLanguageRegistry
{
    /// <summary>Rows of workers gone this long are deleted by the next record, so the table stays small.</summary>
    private static readonly TimeSpan Forget = TimeSpan.FromDays(1);

    public async Task RecordAsync(string worker, IReadOnlyList<LanguageView> languages, TimeSpan ttl, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(conn);
        var upsert = new NpgsqlBatchCommand("""
            INSERT INTO runner.worker_languages (worker, languages, seen_at, expires_at) VALUES ($1, $2, now(), now() + $3)
            ON CONFLICT (worker) DO UPDATE SET languages = excluded.languages, seen_at = excluded.seen_at, expires_at = excluded.expires_at
            """);
        upsert.Parameters.Add(new() { Value = worker });
        upsert.Parameters.Add(new() { Value = StoreJson.Serialize(languages), NpgsqlDbType = NpgsqlDbType.Json });
        upsert.Parameters.Add(new() { Value = ttl });
        batch.BatchCommands.Add(upsert);
        var prune = new NpgsqlBatchCommand("DELETE FROM runner.worker_languages WHERE expires_at < now() - $1");
        prune.Parameters.Add(new() { Value = Forget });
        batch.BatchCommands.Add(prune);
        await batch.ExecuteNonQueryAsync(ct);
    }

    public async Task<IReadOnlyList<LanguageView>> ListLiveAsync(CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("SELECT languages FROM runner.worker_languages WHERE expires_at > now()");
        var records = new List<IReadOnlyList<LanguageView>>();
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) records.Add(StoreJson.Deserialize<List<LanguageView>>(reader.GetString(0)));
        return WorkerLanguageMerge.Merge(records);
    }
}
