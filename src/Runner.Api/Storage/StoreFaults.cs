using Npgsql;

namespace Runner.Api.Storage;

/// <summary>Tells a store fault worth retrying (the database was briefly unreachable) from a refusal that would repeat.</summary>
public static class StoreFaults
{
    public static bool IsTransient(Exception e, CancellationToken ct) =>
        ct.IsCancellationRequested || e is OperationCanceledException or TimeoutException or NpgsqlException { IsTransient: true };
}
