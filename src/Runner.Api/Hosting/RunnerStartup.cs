using Hangfire;
using Runner.Api.Judging;
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
    ILogger<RunnerStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        // Box directories are removed by fd and never throw; a failure is logged here instead.
        Runner.Sandbox.HostFiles.BoxDirectory.CleanupFailed += (path, error) =>
            logger.LogError("Could not remove box directory {Path}: {Error}", path, error);
        await InitializeStoreAsync(ct);
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
        {
            try
            {
                logger.LogInformation("Judge sessions go to {WorkRoot}", services.GetRequiredService<JudgeWorkRoot>().Path);
            }
            catch (IOException e)
            {
                logger.LogError("Judge sessions cannot be created: {Error}. Every submission is an internal_error until this is fixed.", e.Message);
            }
        }
        if (roles.Worker)
        {
            var recurring = services.GetRequiredService<IRecurringJobManager>();
            recurring.AddOrUpdate<RecoverySweep>("runner-recovery-sweep", j => j.RunAsync(CancellationToken.None), Cron.Minutely);
            recurring.AddOrUpdate<RetentionSweep>(RetentionSweep.JobId, j => j.RunAsync(CancellationToken.None), Cron.Hourly);
        }
        logger.LogInformation("Runner started with roles {Roles}", roles);
    }

    /// <summary>
    /// A database that is not up yet (it starts with us, or is restarting) is waited for, with a
    /// log line per attempt, instead of crashing the host. The Hangfire servers start after
    /// this returns, so they find it up too.
    /// </summary>
    private async Task InitializeStoreAsync(CancellationToken ct)
    {
        var delay = TimeSpan.FromSeconds(1);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await store.InitializeAsync(ct);
                if (attempt > 1) logger.LogInformation("The {Kind} store is reachable after {Attempts} attempts", store.Kind, attempt);
                return;
            }
            catch (Exception e) when (Errors.StoreUnavailableExceptionHandler.Unavailable(e) is not null && !ct.IsCancellationRequested)
            {
                logger.LogWarning("The {Kind} store is not reachable ({Error}); retrying in {Delay} s (attempt {Attempt})", store.Kind, e.Message, delay.TotalSeconds, attempt);
                await Task.Delay(delay, ct);
                delay = TimeSpan.FromSeconds(Math.Min(delay.TotalSeconds * 2, 30));
            }
        }
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
