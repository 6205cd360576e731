using Hangfire;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Npgsql;
using Runner.Api.Callbacks;
using Runner.Api.Events;
using Runner.Api.Judging;
using Runner.Api.Languages;
using Runner.Api.Metrics;
using Runner.Api.Queue;
using Runner.Api.Runs;
using Runner.Api.Storage;
using Runner.Api.StoredProblems;
using Runner.Sandbox;

namespace Runner.Api.Hosting;

public static class RunnerServiceCollectionExtensions
{
    /// <summary>
    /// Storage, queue and (for the worker role) the Hangfire server: everything both the API
    /// host and the standalone worker need. The judge is registered by the caller through
    /// <see cref="AddRunnerJudge"/> so tests and hosts choose it explicitly.
    /// </summary>
    public static IServiceCollection AddRunnerCore(this IServiceCollection services, IConfiguration configuration, RunnerRoles roles)
    {
        services.AddOptions<RunnerOptions>().Bind(configuration.GetSection(RunnerOptions.Section));
        var options = configuration.GetSection(RunnerOptions.Section).Get<RunnerOptions>() ?? new RunnerOptions();
        var connectionString = configuration.GetConnectionString("Runner");

        services.AddSingleton(roles);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new SandboxOptions { CgroupParent = options.CgroupParent, WarmBoxes = options.ResolveWarmBoxes(roles) });
        services.AddSingleton<WorkerIdentity>();
        services.AddSingleton<JudgeWorkRoot>();
        services.AddSingleton<CompletionSignals>();
        services.AddSingleton<EnqueueRetry>();
        services.AddHostedService(sp => sp.GetRequiredService<EnqueueRetry>());
        services.AddSingleton<CallbackPolicy>();
        services.AddRunnerProblems(configuration);
        services.AddRunnerMetrics(configuration, roles);
        services.AddScoped<SubmissionQueue>();
        services.AddSingleton<JudgeCapacity>();
        services.AddSingleton<LocalHandOff>();
        services.AddHostedService(sp => sp.GetRequiredService<LocalHandOff>());
        services.AddTransient<JudgeSubmissionJob>();
        services.AddTransient<CallbackJob>();
        services.AddTransient<RecoverySweep>();
        services.AddTransient<RetentionSweep>();
        services.AddHttpClient(CallbackJob.HttpClientName)
            // A redirect could lead a callback to a host the allow-list never approved.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false });

        if (string.IsNullOrWhiteSpace(connectionString))
        {
            services.AddSingleton<ISubmissionStore, InMemorySubmissionStore>();
            services.AddSingleton<IWorkerLanguageRegistry, InMemoryWorkerLanguageRegistry>();
            services.AddSingleton<JobStorage>(_ => new InMemoryStorage());
        }
        else
        {
            var store = new NpgsqlConnectionStringBuilder(connectionString)
            {
                MaxPoolSize = Math.Max(2, options.Database.PoolSize),
                Timeout = Math.Max(1, options.Database.PoolTimeoutSeconds),
                // The store's statements leave no session state behind (the finished-submission
                // listener keeps its own connection), so a pooled connection needs no DISCARD ALL
                // before every statement.
                NoResetOnClose = true,
            };
            services.AddSingleton(_ => new NpgsqlDataSourceBuilder(store.ConnectionString).Build());
            services.AddSingleton<SchemaMigrator>();
            services.AddSingleton<ISubmissionStore, PostgresSubmissionStore>();
            services.AddSingleton<IWorkerLanguageRegistry, PostgresWorkerLanguageRegistry>();
            var hangfireOptions = new PostgreSqlStorageOptions
            {
                SchemaName = "hangfire",
                PrepareSchemaIfNecessary = true,
                // LISTEN/NOTIFY: an idle worker wakes within milliseconds of an enqueue
                // instead of at the next poll.
                EnableLongPolling = true,
                // A running job's fetch time is refreshed every fifth of the timeout, so a short
                // timeout redelivers a dead worker's job quickly without ever redelivering a
                // live long one.
                UseSlidingInvisibilityTimeout = true,
                InvisibilityTimeout = QueueTimeouts.Invisibility(options),
                QueuePollInterval = TimeSpan.FromSeconds(options.Queue.PollIntervalSeconds),
                DistributedLockTimeout = TimeSpan.FromSeconds(30),
                // Never throw or block for long when the database is down at start-up:
                // RunnerStartup waits for it and says so, and the storage prepares its schema
                // on first use (degraded mode).
                StartupConnectionMaxRetries = 1,
                StartupConnectionBaseDelay = TimeSpan.FromMilliseconds(100),
                AllowDegradedModeWithoutStorage = true,
            };
            var queue = new NpgsqlConnectionStringBuilder(connectionString)
            {
                MaxPoolSize = QueueTimeouts.QueuePoolSize(options, roles),
                Timeout = Math.Max(1, options.Database.PoolTimeoutSeconds),
            };
            services.AddSingleton<JobStorage>(_ => new PostgreSqlStorage(new NpgsqlConnectionFactory(queue.ConnectionString, hangfireOptions), hangfireOptions));
        }

        // Each host gets its own JobStorage instance from DI (registered above, before AddHangfire
        // can add its default), so several hosts in one test process do not share static state.
        services.AddHangfire(c => c
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());
        // Hangfire's default filters that Runner's jobs never need, each costing database round
        // trips on every job: the culture captured at enqueue (two parameters written, and read
        // back before the job starts, on the path of every wait=true submission) and continuations
        // (a parameter read when each job finishes). Retries and the dashboard's statistics stay.
        GlobalJobFilters.Filters.Remove<CaptureCultureAttribute>();
        GlobalJobFilters.Filters.Remove<ContinuationsSupportAttribute>();

        services.AddHostedService<RunnerStartup>();
        // After RunnerStartup, which waits for the database.
        if (roles.Api && !string.IsNullOrWhiteSpace(connectionString)) services.AddHostedService<FinishedSubmissionListener>();
        services.AddSubmissionEvents(roles, durable: !string.IsNullOrWhiteSpace(connectionString));
        services.AddRunnerRuns(durable: !string.IsNullOrWhiteSpace(connectionString));

        if (roles.Worker)
        {
            // After RunnerStartup (the schema exists) and before any API-side hosted service
            // (an API in this process sees its own worker's languages from the start).
            services.AddHostedService<LanguageAdvertiser>();
            services.AddHangfireServer((sp, o) =>
            {
                o.ServerName = $"judge:{sp.GetRequiredService<WorkerIdentity>().Id}";
                o.Queues = [JudgeSubmissionJob.Queue];
                o.WorkerCount = WorkerCount.Resolve(options);
                o.ShutdownTimeout = TimeSpan.FromSeconds(5);
            });
            // Callbacks wait on other people's servers; a separate small server keeps them from
            // occupying judge workers.
            services.AddHangfireServer((sp, o) =>
            {
                o.ServerName = $"callbacks:{sp.GetRequiredService<WorkerIdentity>().Id}";
                o.Queues = [CallbackJob.Queue];
                o.WorkerCount = QueueTimeouts.CallbackWorkers;
                o.ShutdownTimeout = TimeSpan.FromSeconds(5);
            });
        }
        return services;
    }

    /// <summary>The standalone worker host (src/Runner.Worker): the worker role only, whatever Runner:Roles says.</summary>
    public static HostApplicationBuilder AddRunnerWorker(this HostApplicationBuilder builder)
    {
        builder.Services.AddRunnerCore(builder.Configuration, new RunnerRoles(Api: false, Worker: true));
        builder.Services.AddRunnerDefaultJudge();
        builder.Services.AddHostedService<WorkerMetricsListener>();
        return builder;
    }

    /// <summary>The judge every real host uses.</summary>
    public static IServiceCollection AddRunnerDefaultJudge(this IServiceCollection services) =>
        services.AddRunnerJudge<PipelineJudge>();

    /// <summary>Registers the judge behind the service's seam.</summary>
    public static IServiceCollection AddRunnerJudge<TJudge>(this IServiceCollection services)
        where TJudge : class, ISubmissionJudge, IAvailableLanguages
    {
        services.AddSingleton<TJudge>();
        services.AddSingleton<ISubmissionJudge>(sp => new MeteredJudge(sp.GetRequiredService<TJudge>(), sp.GetRequiredService<RunnerMetrics>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IAvailableLanguages>(sp => sp.GetRequiredService<TJudge>());
        return services;
    }
}
