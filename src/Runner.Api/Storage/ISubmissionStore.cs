using Runner.Api.Contracts;

namespace Runner.Api.Storage;

/// <summary>
/// Durable submission state. Claims carry a lease so a job delivered twice (Hangfire is
/// at-least-once) judges once: a second worker sees a live lease and backs off, and a
/// result is stored only while the row is not yet finished.
/// </summary>
public interface ISubmissionStore
{
    /// <summary>"postgresql" or "in-memory", for logs and health output.</summary>
    string Kind { get; }

    Task InitializeAsync(CancellationToken ct);

    /// <summary>
    /// Stores new submissions in one transaction. A submission whose idempotency key is already
    /// taken is not stored; the one holding the key is returned in its place.
    /// </summary>
    Task<IReadOnlyList<InsertOutcome>> InsertAsync(IReadOnlyList<SubmissionRecord> submissions, CancellationToken ct);

    /// <summary>The submissions holding these idempotency keys, in the order asked; a key nobody holds is left out.</summary>
    Task<IReadOnlyList<SubmissionRecord>> FindByIdempotencyKeysAsync(IReadOnlyList<string> keys, CancellationToken ct);

    Task<SubmissionRecord?> GetAsync(Guid id, CancellationToken ct);

    Task<IReadOnlyList<SubmissionRecord>> GetManyAsync(IReadOnlyList<Guid> ids, CancellationToken ct);

    /// <summary>Queued plus running: what the queue bound is compared with.</summary>
    Task<long> CountPendingAsync(CancellationToken ct);

    Task<ClaimOutcome> TryClaimAsync(Guid id, string worker, TimeSpan lease, CancellationToken ct);

    /// <summary>
    /// Records progress, appends <paramref name="events"/> (numbered after the last stored one) and
    /// renews the lease, only while this worker holds the claim; false when it does not.
    /// </summary>
    Task<bool> ReportProgressAsync(Guid id, string worker, ProgressView progress, TimeSpan lease, IReadOnlyList<NewSubmissionEvent> events, CancellationToken ct);

    /// <summary>
    /// Stores the result unless the submission is already finished, in one transaction with the
    /// judge's last <paramref name="events"/> (not yet written by <see cref="ReportProgressAsync"/>)
    /// and the finished event. Returns the finished submission as GET reads it when this call
    /// stored it, null when it was finished already.
    /// </summary>
    Task<SubmissionRecord?> CompleteAsync(Guid id, string worker, SubmissionResult result, IReadOnlyList<NewSubmissionEvent> events, CancellationToken ct);

    /// <summary>
    /// Finishes a queued or running submission with <paramref name="result"/> whoever holds it, and
    /// tells its worker to stop (NOTIFY); false when it was already finished.
    /// </summary>
    Task<bool> CancelAsync(Guid id, SubmissionResult result, CancellationToken ct);

    /// <summary>Removes a finished submission and its events; false when there is no finished one with this id.</summary>
    Task<bool> DeleteFinishedAsync(Guid id, CancellationToken ct);

    /// <summary>The stored events after <paramref name="after"/>, in order.</summary>
    Task<IReadOnlyList<SubmissionEvent>> ReadEventsAsync(Guid id, long after, CancellationToken ct);

    /// <summary>Up to <paramref name="limit"/> submissions matching <paramref name="filter"/>, newest (highest id) first.</summary>
    Task<IReadOnlyList<SubmissionSummary>> ListAsync(SubmissionFilter filter, int limit, CancellationToken ct);

    Task MarkEnqueuedAsync(Guid id, string jobId, CancellationToken ct);

    /// <summary>
    /// For the recovery sweep, unfinished submissions that have no Hangfire job and no live
    /// worker: queued ones older than <paramref name="age"/> (their enqueue was lost), and running
    /// ones whose lease expired (handed to a worker in the API's process that died or stopped).
    /// </summary>
    Task<IReadOnlyList<Guid>> ListWithoutJobAsync(TimeSpan age, CancellationToken ct);

    /// <summary>Retention: deletes finished submissions that finished more than <paramref name="age"/> ago; returns how many.</summary>
    Task<int> DeleteFinishedBeforeAsync(TimeSpan age, CancellationToken ct);

    Task PingAsync(CancellationToken ct);
}

public enum ClaimResult
{
    /// <summary>This worker now holds the lease; judge it.</summary>
    Claimed,
    /// <summary>Already judged and stored; nothing to do.</summary>
    AlreadyFinished,
    /// <summary>Another worker holds a live lease; try again after it expires.</summary>
    HeldElsewhere,
    NotFound,
}

/// <param name="Stored">The submission now holding the id (and key): the one given, or the earlier one with the same key.</param>
/// <param name="Inserted">False when an earlier submission held the key.</param>
public sealed record InsertOutcome(SubmissionRecord Stored, bool Inserted);

/// <param name="Before">Only ids below this one (the cursor: the last id of the previous page).</param>
public sealed record SubmissionFilter(SubmissionStatus? Status, string? Language, string? Problem, Guid? Before);

public sealed record ClaimOutcome(ClaimResult Result, SubmissionRecord? Submission);
