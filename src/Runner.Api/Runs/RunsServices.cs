using Runner.Api.Queue;

namespace Runner.Api.Runs;

public static class RunsServices
{
    /// <summary>Runs for both roles: the API stores and waits for them, a worker executes them.</summary>
    public static IServiceCollection AddRunnerRuns(this IServiceCollection services, bool durable)
    {
        if (durable) services.AddSingleton<IRunStore, PostgresRunStore>();
        else services.AddSingleton<IRunStore, InMemoryRunStore>();
        services.AddSingleton<RunCompletionSignals>();
        services.AddSingleton<RunExecutor>();
        services.AddTransient<ExecuteRunJob>();
        return services;
    }
}
