using Runner.Api.Storage;

namespace Runner.Api.Runs;

/// <summary>
/// Runs waiting for a worker and their outcomes, claimed with a lease like submissions
/// (<see cref="ISubmissionStore"/>): a job delivered twice runs the commands once while the
/// first delivery lives, and an outcome is stored once.
/// </summary>
public interface IRunStore
{
    Task InsertAsync(RunRecord run, CancellationToken ct);

    Task<RunRecord?> GetAsync(Guid id, CancellationToken ct);

    /// <summary>Queued plus running.</summary>
    Task<long> CountPendingAsync(CancellationToken ct);

    Task<(ClaimResult Result, RunRecord? Run)> TryClaimAsync(Guid id, string worker, TimeSpan lease, CancellationToken ct);

    /// <summary>Renews the lease while this worker holds it.</summary>
    Task RenewAsync(Guid id, string worker, TimeSpan lease, CancellationToken ct);

    /// <summary>Stores the outcome unless already finished, and wakes ?wait=true requests in every API process; true when this call stored it.</summary>
    Task<bool> CompleteAsync(Guid id, RunOutcome outcome, CancellationToken ct);

    /// <summary>Records the Hangfire job that executes the run.</summary>
    Task MarkEnqueuedAsync(Guid id, string jobId, CancellationToken ct);

    /// <summary>Queued runs older than <paramref name="age"/> that were never enqueued, for the recovery sweep.</summary>
    Task<IReadOnlyList<Guid>> ListWithoutJobAsync(TimeSpan age, CancellationToken ct);

    /// <summary>Retention: deletes runs that finished more than <paramref name="age"/> ago.</summary>
    Task<int> DeleteFinishedBeforeAsync(TimeSpan age, CancellationToken ct);
}
