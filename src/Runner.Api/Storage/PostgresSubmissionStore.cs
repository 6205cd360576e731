using Npgsql;
using NpgsqlTypes;
using Runner.Api.Contracts;

namespace Runner.Api.Storage;

/// <summary>Submissions in runner.submissions (schema created by <see cref="SchemaMigrator"/>).</summary>
public sealed class PostgresSubmissionStore(NpgsqlDataSource dataSource, SchemaMigrator migrator) : ISubmissionStore
{
    private const string Columns = "id, status, input, result, progress, created_at, started_at, finished_at, attempts, job_id, idempotency_key";

    public string Kind => "postgresql";

    public Task InitializeAsync(CancellationToken ct) => migrator.MigrateAsync(ct);

    public async Task<IReadOnlyList<InsertOutcome>> InsertAsync(IReadOnlyList<SubmissionRecord> submissions, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(conn);
        foreach (var s in submissions)
        {
            // A taken key inserts nothing (and returns no row); the holder is read below.
            var cmd = new NpgsqlBatchCommand("""
                INSERT INTO runner.submissions (id, status, language, input, created_at, idempotency_key) VALUES ($1, 'queued', $2, $3, $4, $5)
                ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
                RETURNING id
                """);
            cmd.Parameters.Add(new() { Value = s.Id });
            cmd.Parameters.Add(new() { Value = s.Input.Language });
            cmd.Parameters.Add(new() { Value = StoreJson.Serialize(s.Input), NpgsqlDbType = NpgsqlDbType.Json });
            cmd.Parameters.Add(new() { Value = s.CreatedAt });
            cmd.Parameters.Add(new() { Value = (object?)s.IdempotencyKey ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            batch.BatchCommands.Add(cmd);
        }
        var inserted = new HashSet<Guid>();
        await using (var reader = await batch.ExecuteReaderAsync(ct))
        {
            do
            {
                while (await reader.ReadAsync(ct)) inserted.Add(reader.GetGuid(0));
            }
            while (await reader.NextResultAsync(ct));
        }
        var lost = submissions.Where(s => !inserted.Contains(s.Id)).Select(s => s.IdempotencyKey!).ToList();
        var holders = lost.Count == 0 ? [] : (await FindByIdempotencyKeysAsync(lost, ct)).ToDictionary(r => r.IdempotencyKey!);
        return submissions.Select(s => inserted.Contains(s.Id)
            ? new InsertOutcome(s, true)
            : new InsertOutcome(holders.GetValueOrDefault(s.IdempotencyKey!) ?? throw new InvalidOperationException($"submission {s.Id} was neither stored nor held by its key"), false)).ToList();
    }

    public async Task<IReadOnlyList<SubmissionRecord>> FindByIdempotencyKeysAsync(IReadOnlyList<string> keys, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand($"SELECT {Columns} FROM runner.submissions WHERE idempotency_key = ANY($1)");
        cmd.Parameters.Add(new() { Value = keys.ToArray() });
        var found = new Dictionary<string, SubmissionRecord>(StringComparer.Ordinal);
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
            {
                var r = Read(reader);
                found[r.IdempotencyKey!] = r;
            }
        return keys.Where(found.ContainsKey).Select(k => found[k]).ToList();
    }

    public async Task<SubmissionRecord?> GetAsync(Guid id, CancellationToken ct) =>
        (await GetManyAsync([id], ct)).FirstOrDefault();

    public async Task<IReadOnlyList<SubmissionRecord>> GetManyAsync(IReadOnlyList<Guid> ids, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand($"SELECT {Columns} FROM runner.submissions WHERE id = ANY($1)");
        cmd.Parameters.Add(new() { Value = ids.ToArray() });
        var found = new Dictionary<Guid, SubmissionRecord>();
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct))
            {
                var r = Read(reader);
                found[r.Id] = r;
            }
        return ids.Where(found.ContainsKey).Select(id => found[id]).ToList();
    }

    public async Task<long> CountPendingAsync(CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("SELECT count(*) FROM runner.submissions WHERE status <> 'finished'");
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public async Task<ClaimOutcome> TryClaimAsync(Guid id, string worker, TimeSpan lease, CancellationToken ct)
    {
        // One statement decides the claim, so two workers racing for the same row cannot both win.
        await using var cmd = dataSource.CreateCommand($"""
            UPDATE runner.submissions
               SET status = 'running', claimed_by = $2, lease_until = now() + $3,
                   started_at = coalesce(started_at, now()), attempts = attempts + 1, progress = $4
             WHERE id = $1 AND status <> 'finished'
               AND (claimed_by IS NULL OR claimed_by = $2 OR lease_until < now())
            RETURNING {Columns}
            """);
        cmd.Parameters.Add(new() { Value = id });
        cmd.Parameters.Add(new() { Value = worker });
        cmd.Parameters.Add(new() { Value = lease });
        cmd.Parameters.Add(new() { Value = StoreJson.Serialize(ProgressView.Starting), NpgsqlDbType = NpgsqlDbType.Json });
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
            if (await reader.ReadAsync(ct)) return new ClaimOutcome(ClaimResult.Claimed, Read(reader));

        var current = await GetAsync(id, ct);
        return current switch
        {
            null => new ClaimOutcome(ClaimResult.NotFound, null),
            { Status: SubmissionStatus.Finished } => new ClaimOutcome(ClaimResult.AlreadyFinished, current),
            _ => new ClaimOutcome(ClaimResult.HeldElsewhere, current),
        };
    }

    public async Task<bool> ReportProgressAsync(Guid id, string worker, ProgressView progress, TimeSpan lease, IReadOnlyList<NewSubmissionEvent> events, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(conn);
        var update = new NpgsqlBatchCommand(
            "UPDATE runner.submissions SET progress = $3, lease_until = now() + $4 WHERE id = $1 AND claimed_by = $2 AND status = 'running'");
        update.Parameters.Add(new() { Value = id });
        update.Parameters.Add(new() { Value = worker });
        update.Parameters.Add(new() { Value = StoreJson.Serialize(progress), NpgsqlDbType = NpgsqlDbType.Json });
        update.Parameters.Add(new() { Value = lease });
        batch.BatchCommands.Add(update);
        if (events.Count > 0)
        {
            // Numbered after the last stored event (1 is the implied queued event); only the
            // claim holder of a running submission appends, so nothing races for the numbers.
            // The NOTIFY reaches every API process's listener at commit.
            var append = new NpgsqlBatchCommand($"""
                WITH ins AS (
                    INSERT INTO runner.submission_events (submission_id, seq, type, data)
                    SELECT $1, coalesce((SELECT max(seq) FROM runner.submission_events WHERE submission_id = $1), 1) + e.n, e.type, e.data
                      FROM runner.submissions s, unnest($3::text[], $4::json[]) WITH ORDINALITY AS e(type, data, n)
                     WHERE s.id = $1 AND s.claimed_by = $2 AND s.status = 'running'
                    RETURNING 1)
                SELECT pg_notify('{FinishedSubmissionListener.EventChannel}', $1::text) WHERE EXISTS (SELECT 1 FROM ins)
                """);
            append.Parameters.Add(new() { Value = id });
            append.Parameters.Add(new() { Value = worker });
            append.Parameters.Add(new() { Value = events.Select(e => e.Type).ToArray() });
            append.Parameters.Add(new() { Value = events.Select(e => e.Data).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Json });
            batch.BatchCommands.Add(append);
        }
        await batch.ExecuteNonQueryAsync(ct);
        return update.RecordsAffected == 1;
    }

    public async Task<SubmissionRecord?> CompleteAsync(Guid id, string worker, SubmissionResult result, IReadOnlyList<NewSubmissionEvent> events, CancellationToken ct)
    {
        // "status <> 'finished'" is what makes storing idempotent: a re-run after a crash, or a
        // duplicate delivery, can judge again but can never overwrite or double-store a result.
        // The judge's last events go in the same statement (one round trip less on the path of
        // every submission), numbered before the finished event: every part of one statement
        // sees the events as they were before it, so the numbers are counted here, not re-read.
        // The NOTIFY is delivered at commit, to FinishedSubmissionListener in every API process.
        await using var cmd = dataSource.CreateCommand($"""
            WITH done AS (
                UPDATE runner.submissions
                   SET status = 'finished', result = $2, progress = NULL, finished_at = now(), claimed_by = NULL, lease_until = NULL
                 WHERE id = $1 AND status <> 'finished'
                RETURNING {Columns}),
            last AS (SELECT coalesce((SELECT max(seq) FROM runner.submission_events WHERE submission_id = $1), 1) AS seq),
            evs AS (
                INSERT INTO runner.submission_events (submission_id, seq, type, data)
                SELECT done.id, last.seq + e.n, e.type, e.data
                  FROM done, last, unnest($3::text[], $4::json[]) WITH ORDINALITY AS e(type, data, n)),
            fin AS (
                INSERT INTO runner.submission_events (submission_id, seq, type)
                SELECT done.id, last.seq + cardinality($3::text[]) + 1, 'finished' FROM done, last),
            notified AS (SELECT count(pg_notify('{FinishedSubmissionListener.Channel}', id::text)) AS n FROM done)
            SELECT {Columns} FROM done, notified
            """);
        cmd.Parameters.Add(new() { Value = id });
        cmd.Parameters.Add(new() { Value = StoreJson.Serialize(result), NpgsqlDbType = NpgsqlDbType.Json });
        cmd.Parameters.Add(new() { Value = events.Select(e => e.Type).ToArray() });
        cmd.Parameters.Add(new() { Value = events.Select(e => e.Data).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Json });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    public async Task<bool> CancelAsync(Guid id, SubmissionResult result, CancellationToken ct)
    {
        // Finished here, whoever holds the claim: the holder's later result is then refused like
        // a duplicate delivery's, and the cancel NOTIFY makes it kill its box.
        await using var cmd = dataSource.CreateCommand($"""
            WITH done AS (
                UPDATE runner.submissions
                   SET status = 'finished', result = $2, progress = NULL, finished_at = now(), started_at = coalesce(started_at, now()),
                       claimed_by = NULL, lease_until = NULL
                 WHERE id = $1 AND status <> 'finished'
                RETURNING id),
            {FinishedEvent}
            SELECT count(pg_notify('{FinishedSubmissionListener.Channel}', id::text)) + count(pg_notify('{Judging.CancellationListener.Channel}', id::text)) FROM done
            """);
        cmd.Parameters.Add(new() { Value = id });
        cmd.Parameters.Add(new() { Value = StoreJson.Serialize(result), NpgsqlDbType = NpgsqlDbType.Json });
        return (long)(await cmd.ExecuteScalarAsync(ct))! > 0;
    }

    /// <summary>The CTE that stores the finished event of the row <c>done</c> finished (numbered after the last event).</summary>
    private const string FinishedEvent = """
        fin AS (
            INSERT INTO runner.submission_events (submission_id, seq, type)
            SELECT id, coalesce((SELECT max(seq) FROM runner.submission_events WHERE submission_id = $1), 1) + 1, 'finished' FROM done)
        """;

    public async Task<bool> DeleteFinishedAsync(Guid id, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("DELETE FROM runner.submissions WHERE id = $1 AND status = 'finished'");
        cmd.Parameters.Add(new() { Value = id });
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    public async Task<IReadOnlyList<SubmissionEvent>> ReadEventsAsync(Guid id, long after, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("SELECT seq, type, data FROM runner.submission_events WHERE submission_id = $1 AND seq > $2 ORDER BY seq");
        cmd.Parameters.Add(new() { Value = id });
        cmd.Parameters.Add(new() { Value = (int)Math.Min(after, int.MaxValue) });
        var events = new List<SubmissionEvent>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            events.Add(new SubmissionEvent(reader.GetInt32(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
        return events;
    }

    public async Task<IReadOnlyList<SubmissionSummary>> ListAsync(SubmissionFilter filter, int limit, CancellationToken ct)
    {
        // The summary's fields are read out of the result document in the database, so a page
        // never carries sources, tests or outputs over the connection. The documents are json
        // text, which may hold \u0000 (a program's NUL output, a NUL in a source): PostgreSQL
        // refuses to parse that escape, so it becomes U+FFFD before the fields are read.
        await using var cmd = dataSource.CreateCommand("""
            SELECT id, status, language, r->>'verdict', (r->>'score')::float8, r->>'message', created_at, started_at, finished_at, attempts
              FROM runner.submissions,
                   LATERAL (SELECT replace(result::text, '\u0000', '\ufffd')::json AS r,
                                   replace(input::text, '\u0000', '\ufffd')::json AS i) parsed
             WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR language = $2)
               AND ($3::text IS NULL OR i->'problem'->>'id' = $3) AND ($4::uuid IS NULL OR id < $4)
             ORDER BY id DESC
             LIMIT $5
            """);
        cmd.Parameters.Add(new() { Value = filter.Status is { } st ? StoreJson.Serialize(st).Trim('"') : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new() { Value = (object?)filter.Language ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new() { Value = (object?)filter.Problem ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new() { Value = (object?)filter.Before ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        cmd.Parameters.Add(new() { Value = limit });
        var page = new List<SubmissionSummary>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            page.Add(new SubmissionSummary
            {
                Id = reader.GetGuid(0),
                Status = ReadStatus(reader.GetString(1)),
                Language = reader.GetString(2),
                Verdict = reader.IsDBNull(3) ? null : StoreJson.Deserialize<Runner.Judge.Verdict>($"\"{reader.GetString(3)}\""),
                Score = reader.IsDBNull(4) ? null : reader.GetDouble(4),
                Message = reader.IsDBNull(5) ? null : reader.GetString(5),
                CreatedAt = reader.GetFieldValue<DateTimeOffset>(6),
                StartedAt = reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7),
                FinishedAt = reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8),
                Attempts = reader.GetInt32(9),
            });
        return page;
    }

    public async Task MarkEnqueuedAsync(Guid id, string jobId, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("UPDATE runner.submissions SET job_id = $2 WHERE id = $1");
        cmd.Parameters.Add(new() { Value = id });
        cmd.Parameters.Add(new() { Value = jobId });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<IReadOnlyList<Guid>> ListWithoutJobAsync(TimeSpan age, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT id FROM runner.submissions
             WHERE status <> 'finished' AND job_id IS NULL
               AND (status = 'queued' AND created_at < now() - $1 OR status = 'running' AND lease_until < now())
             ORDER BY created_at LIMIT 1000
            """);
        cmd.Parameters.Add(new() { Value = age });
        var ids = new List<Guid>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) ids.Add(reader.GetGuid(0));
        return ids;
    }

    public async Task<int> DeleteFinishedBeforeAsync(TimeSpan age, CancellationToken ct)
    {
        // In slices, so a first sweep over a large backlog never holds one huge transaction.
        var total = 0;
        while (true)
        {
            await using var cmd = dataSource.CreateCommand("""
                DELETE FROM runner.submissions WHERE id IN (
                    SELECT id FROM runner.submissions WHERE status = 'finished' AND finished_at < now() - $1 LIMIT 5000)
                """);
            cmd.Parameters.Add(new() { Value = age });
            var deleted = await cmd.ExecuteNonQueryAsync(ct);
            total += deleted;
            if (deleted < 5000) return total;
        }
    }

    public async Task PingAsync(CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("SELECT 1 FROM runner.schema_version LIMIT 1");
        await cmd.ExecuteScalarAsync(ct);
    }

    private static SubmissionRecord Read(NpgsqlDataReader r) => new()
    {
        Id = r.GetGuid(0),
        Status = ReadStatus(r.GetString(1)),
        Input = StoreJson.Deserialize<JudgeInput>(r.GetString(2)),
        Result = r.IsDBNull(3) ? null : StoreJson.Deserialize<SubmissionResult>(r.GetString(3)),
        Progress = r.IsDBNull(4) ? null : StoreJson.Deserialize<ProgressView>(r.GetString(4)),
        CreatedAt = r.GetFieldValue<DateTimeOffset>(5),
        StartedAt = r.IsDBNull(6) ? null : r.GetFieldValue<DateTimeOffset>(6),
        FinishedAt = r.IsDBNull(7) ? null : r.GetFieldValue<DateTimeOffset>(7),
        Attempts = r.GetInt32(8),
        JobId = r.IsDBNull(9) ? null : r.GetString(9),
        IdempotencyKey = r.IsDBNull(10) ? null : r.GetString(10),
    };

    private static SubmissionStatus ReadStatus(string status) => status switch
    {
        "queued" => SubmissionStatus.Queued,
        "running" => SubmissionStatus.Running,
        _ => SubmissionStatus.Finished,
    };
}
