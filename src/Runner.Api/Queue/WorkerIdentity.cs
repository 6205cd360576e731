namespace Runner.Api.Queue;

/// <summary>Names this process in submission claims: host, pid and a per-start nonce.</summary>
public sealed class WorkerIdentity
{
    public string Id { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";
}
