using Runner.Api.Hosting;
using Runner.Api.Judging;
using Runner.Api.Queue;

namespace Runner.Api.Events;

public static class SubmissionEventsServices
{
    /// <summary>
    /// Live events and cancels: the signals that wake event streams, the judgements a worker
    /// can be told to stop, and (workers on PostgreSQL) the LISTEN connection that hears a
    /// DELETE made through another process.
    /// </summary>
    public static IServiceCollection AddSubmissionEvents(this IServiceCollection services, RunnerRoles roles, bool durable)
    {
        services.AddSingleton<EventSignals>();
        services.AddSingleton<RunningJudgements>();
        if (roles.Worker && durable) services.AddHostedService<CancellationListener>();
        return services;
    }
}
