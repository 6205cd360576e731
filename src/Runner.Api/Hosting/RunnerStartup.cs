using Hangfire;
using Runner.Api.Queue;
using Runner.Api.Security;
using Runner.Api.Storage;

namespace Runner.Api.Hosting;

/// <summary>
/// Runs before the Hangfire servers start (it is registered first): migrates the schema, says
/// loudly what kind of deployment this is, and schedules the recovery sweep.
/// </summary>
public sealed class RunnerStartup(
    ISubmissionStore store,
    RunnerRoles roles,
    IServiceProvider services,
    IRecurringJobManager recurring,
    ILogger<RunnerStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        await store.InitializeAsync(ct);
        if (store.Kind == "in-memory")
            logger.LogWarning("""
                ************************************************************************
                * No ConnectionStrings:Runner configured: using the IN-MEMORY store and *
                * Hangfire.InMemory. Submissions are lost when this process stops and  *
                * workers cannot be scaled out. Set ConnectionStrings__Runner to a     *
                * PostgreSQL connection string for a durable, scalable deployment.     *
                ************************************************************************
                """);
        else
            logger.LogInformation("Using PostgreSQL for submissions and the Hangfire queue");

        if (roles.Api && services.GetService<ApiKeys>() is { Configured: false })
            logger.LogWarning("Runner:ApiKeys is empty: the API is OPEN to anyone who can reach it, and the Hangfire dashboard is disabled");

        if (roles.Worker)
            recurring.AddOrUpdate<RecoverySweep>("runner-recovery-sweep", j => j.RunAsync(CancellationToken.None), Cron.Minutely);
        logger.LogInformation("Runner started with roles {Roles}", roles);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
