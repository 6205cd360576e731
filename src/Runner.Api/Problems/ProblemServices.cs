using Runner.Api.Hosting;

namespace Runner.Api.StoredProblems;

public static class ProblemServices
{
    /// <summary>The problem store (PostgreSQL with a connection string, else in memory), the submission resolver and the worker's cache.</summary>
    public static IServiceCollection AddRunnerProblems(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ProblemOptions>().Bind(configuration.GetSection(ProblemOptions.Section));
        if (string.IsNullOrWhiteSpace(configuration.GetConnectionString("Runner")))
            services.AddSingleton<IProblemStore, InMemoryProblemStore>();
        else
            services.AddSingleton<IProblemStore, PostgresProblemStore>();
        services.AddSingleton<ProblemReferences>();
        services.AddSingleton<ProblemCache>();
        return services;
    }
}
