namespace Runner.Api.Hosting;

/// <summary>Which halves of the service this process runs.</summary>
public sealed record RunnerRoles(bool Api, bool Worker)
{
    public static RunnerRoles Parse(string? text)
    {
        var parts = (text ?? "api,worker").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var api = false;
        var worker = false;
        foreach (var p in parts)
        {
            switch (p.ToLowerInvariant())
            {
                case "api": api = true; break;
                case "worker": worker = true; break;
                default: throw new InvalidOperationException($"Runner:Roles: unknown role '{p}' (expected api, worker or api,worker)");
            }
        }
        if (!api && !worker) throw new InvalidOperationException("Runner:Roles names no role (expected api, worker or api,worker)");
        return new RunnerRoles(api, worker);
    }

    public override string ToString() => (Api, Worker) switch { (true, true) => "api,worker", (true, false) => "api", _ => "worker" };
}
