using Npgsql;

namespace Runner.Api.Metrics;

/// <summary>Two small reads: the unfinished submissions (the partial index submissions_pending) and the live worker records, both by the database's clock.</summary>
public sealed class PostgresClusterState(NpgsqlDataSource dataSource) : IClusterState
{
    public async Task<ClusterSnapshot> ReadAsync(CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(conn)
        {
            BatchCommands =
            {
                new("""
                    SELECT count(*) FILTER (WHERE status = 'queued'), count(*) FILTER (WHERE status = 'running'),
                           extract(epoch FROM now() - min(created_at) FILTER (WHERE status = 'queued'))::float8
                    FROM runner.submissions WHERE status <> 'finished'
                    """),
                new("SELECT worker, extract(epoch FROM now() - seen_at)::float8 FROM runner.worker_languages WHERE expires_at > now() ORDER BY worker"),
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var queued = reader.GetInt64(0);
        var running = reader.GetInt64(1);
        double? oldest = reader.IsDBNull(2) ? null : Math.Max(0, reader.GetDouble(2));
        await reader.NextResultAsync(ct);
        var workers = new List<(string, double)>();
        while (await reader.ReadAsync(ct)) workers.Add((reader.GetString(0), Math.Max(0, reader.GetDouble(1))));
        return new ClusterSnapshot(queued, running, oldest, workers);
    }
}
