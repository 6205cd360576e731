using Npgsql;
using NpgsqlTypes;
using Runner.Api.Contracts;
using Runner.Api.Storage;

namespace Runner.Api.Runs;

/// <summary>Runs in runner.runs (migrations 007 and 008).</summary>
public sealed class PostgresRunStore(NpgsqlDataSource dataSource) : IRunStore
{
    private const string Columns = "id, status, request, result, created_at, started_at, finished_at, attempts";

    public async Task InsertAsync(RunRecord run, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("INSERT INTO runner.runs (id, status, request, created_at) VALUES ($1, 'queued', $2, $3)");
        cmd.Parameters.Add(new() { Value = run.Id });
        cmd.Parameters.Add(new() { Value = StoreJson.Serialize(run.Input), NpgsqlDbType = NpgsqlDbType.Json });
        cmd.Parameters.Add(new() { Value = run.CreatedAt });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<RunRecord?> GetAsync(Guid id, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand($"SELECT {Columns} FROM runner.runs WHERE id = $1");
        cmd.Parameters.Add(new() { Value = id });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    public async Task<long> CountPendingAsync(CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("SELECT count(*) FROM runner.runs WHERE status <> 'finished'");
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public async Task<(ClaimResult Result, RunRecord? Run)> TryClaimAsync(Guid id, string worker, TimeSpan lease, CancellationToken ct)
    {
        await using (var cmd = dataSource.CreateCommand($"""
            UPDATE runner.runs
               SET status = 'running', claimed_by = $2, lease_until = now() + $3, started_at = coalesce(started_at, now()), attempts = attempts + 1
             WHERE id = $1 AND status <> 'finished' AND (claimed_by IS NULL OR claimed_by = $2 OR lease_until < now())
            RETURNING {Columns}
            """))
        {
            cmd.Parameters.Add(new() { Value = id });
            cmd.Parameters.Add(new() { Value = worker });
            cmd.Parameters.Add(new() { Value = lease });
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            if (await reader.ReadAsync(ct)) return (ClaimResult.Claimed, Read(reader));
        }
        return await GetAsync(id, ct) switch
        {
            null => (ClaimResult.NotFound, null),
            { Status: SubmissionStatus.Finished } done => (ClaimResult.AlreadyFinished, done),
            var held => (ClaimResult.HeldElsewhere, held),
        };
    }

    public async Task RenewAsync(Guid id, string worker, TimeSpan lease, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("UPDATE runner.runs SET lease_until = now() + $3 WHERE id = $1 AND claimed_by = $2 AND status = 'running'");
        cmd.Parameters.Add(new() { Value = id });
        cmd.Parameters.Add(new() { Value = worker });
        cmd.Parameters.Add(new() { Value = lease });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<bool> CompleteAsync(Guid id, RunOutcome outcome, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand($"""
            WITH done AS (
                UPDATE runner.runs SET status = 'finished', result = $2, finished_at = now(), claimed_by = NULL, lease_until = NULL
                 WHERE id = $1 AND status <> 'finished'
                RETURNING id)
            SELECT count(pg_notify('{FinishedSubmissionListener.RunChannel}', id::text)) FROM done
            """);
        cmd.Parameters.Add(new() { Value = id });
        cmd.Parameters.Add(new() { Value = StoreJson.Serialize(outcome), NpgsqlDbType = NpgsqlDbType.Json });
        return (long)(await cmd.ExecuteScalarAsync(ct))! == 1;
    }

    public async Task MarkEnqueuedAsync(Guid id, string jobId, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("UPDATE runner.runs SET job_id = $2 WHERE id = $1");
        cmd.Parameters.Add(new() { Value = id });
        cmd.Parameters.Add(new() { Value = jobId });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<IReadOnlyList<Guid>> ListWithoutJobAsync(TimeSpan age, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT id FROM runner.runs WHERE status = 'queued' AND job_id IS NULL AND created_at < now() - $1 ORDER BY created_at LIMIT 1000");
        cmd.Parameters.Add(new() { Value = age });
        var ids = new List<Guid>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) ids.Add(reader.GetGuid(0));
        return ids;
    }

    public async Task<int> DeleteFinishedBeforeAsync(TimeSpan age, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("DELETE FROM runner.runs WHERE status = 'finished' AND finished_at < now() - $1");
        cmd.Parameters.Add(new() { Value = age });
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    private static RunRecord Read(NpgsqlDataReader r) => new()
    {
        Id = r.GetGuid(0),
        Status = r.GetString(1) switch
        {
            "queued" => SubmissionStatus.Queued,
            "running" => SubmissionStatus.Running,
            _ => SubmissionStatus.Finished,
        },
        Input = StoreJson.Deserialize<RunInput>(r.GetString(2)),
        Outcome = r.IsDBNull(3) ? null : StoreJson.Deserialize<RunOutcome>(r.GetString(3)),
        CreatedAt = r.GetFieldValue<DateTimeOffset>(4),
        StartedAt = r.IsDBNull(5) ? null : r.GetFieldValue<DateTimeOffset>(5),
        FinishedAt = r.IsDBNull(6) ? null : r.GetFieldValue<DateTimeOffset>(6),
        Attempts = r.GetInt32(7),
    };
}
