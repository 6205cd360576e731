using System.Text.Json;
using System.Text.Json.Serialization;
using Hangfire;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Runner.Api.Compat;
using Runner.Api.Compat.Judge0;
using Runner.Api.Compat.Piston;
using Runner.Api.Errors;
using Runner.Api.Events;
using Runner.Api.Health;
using Runner.Api.Http;
using Runner.Api.Judging;
using Runner.Api.Languages;
using Runner.Api.Management;
using Runner.Api.Metrics;
using Runner.Api.Playground;
using Runner.Api.Runs;
using Runner.Api.Security;
using Runner.Api.StoredProblems;
using Runner.Api.Submissions;

namespace Runner.Api.Hosting;

public static class RunnerApiExtensions
{
    /// <summary>The whole service for the API host: core, judge, HTTP pipeline services.</summary>
    public static WebApplicationBuilder AddRunnerServices(this WebApplicationBuilder builder)
    {
        var roles = RunnerRoles.Parse(builder.Configuration[$"{RunnerOptions.Section}:Roles"]);
        builder.Services.AddRunnerCore(builder.Configuration, roles);
        builder.Services.AddRunnerDefaultJudge();

        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.DictionaryKeyPolicy = null;
            // A misspelt field ("stdn") is an error naming it, not a silently ignored input.
            o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
            // Numbers are JSON numbers. The web default also reads "2" as 2, which makes the
            // OpenAPI document type every number as number|string.
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
        });
        // Bad JSON reaches BadRequestExceptionHandler, which names the field.
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = BodyTooLarge.Describe);
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        builder.Services.AddExceptionHandler<StoreUnavailableExceptionHandler>();
        builder.WebHost.ConfigureKestrel(k =>
        {
            // GET /submissions/batch takes up to 1000 ids of 36 characters in its query.
            k.Limits.MaxRequestLineSize = 64 * 1024;
            k.ConfigureEndpointDefaults(listen => listen.UseProblemBodiesForKestrelErrors());
        });
        builder.Services.AddOpenApi("v1", o => o
            .AddDocumentTransformer<OpenApiDocumentInfo>()
            .AddDocumentTransformer<OpenApiContract>()
            .AddSchemaTransformer<OpenApiContract>());

        builder.Services.AddSingleton<LargeBodyMemory>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<LargeBodyMemory>());
        builder.Services.AddSingleton<ApiKeys>();
        builder.Services.AddSingleton<DashboardAuthorization>();
        builder.Services.AddAuthentication().AddCookie(DashboardAuthorization.Scheme, DashboardAuthorization.ConfigureCookie);
        builder.Services.AddSingleton<SubmissionValidator>();
        builder.Services.AddSingleton<RunAdmission>();
        // An api-only host runs no box: it learns languages from the workers and its readiness
        // never depends on sandbox privileges it does not need.
        var health = builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        if (roles.Worker)
        {
            health.AddCheck<SandboxHealthCheck>("sandbox", tags: ["ready"]);
            builder.Services.AddSingleton<SandboxHealthCheck>();
        }
        if (roles.Api)
        {
            health.AddCheck<WorkersHealthCheck>("workers", tags: ["ready"]);
            builder.Services.AddSingleton<LiveLanguages>();
            builder.Services.AddCompat();
            builder.Services.AddSingleton<PlaygroundAssets>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<LiveLanguages>());
        }
        return builder;
    }

    public static WebApplication MapRunner(this WebApplication app)
    {
        app.UseSubmissionRejectionMetrics();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseLargeBodyMemory();
        app.UseJsonContentTypeCheck();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = HealthJson.WriteAsync });
        app.MapRunnerMetrics();
        if (!app.Services.GetRequiredService<RunnerRoles>().Api) return app;

        RunAdmission.Use(app);
        var limits = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<RunnerOptions>>().Value.Limits;
        var api = app.MapGroup("/api/v1").AddEndpointFilter<ApiKeyFilter>().RefuseUnknownQuery()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        api.MapSubmissionsApi(limits).MapRunsApi(limits).MapLanguagesApi();
        api.MapSubmissionEventsApi().MapSubmissionManagementApi();
        api.MapProblemsApi(app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ProblemOptions>>().Value);
        app.MapJudge0().MapPiston();
        app.MapPlayground();

        app.MapOpenApi("/openapi/{documentName}.json");
        app.UseSwaggerUI(o =>
        {
            o.RoutePrefix = "swagger";
            o.SwaggerEndpoint("/openapi/v1.json", "Runner v1");
        });
        var dashboard = app.Services.GetRequiredService<DashboardAuthorization>();
        app.MapDashboardLogin();
        app.UseWhen(http => http.Request.Path.StartsWithSegments("/hangfire"), branch => branch.Use((http, next) => dashboard.GuardAsync(http, () => next(http))));
        app.UseHangfireDashboard("/hangfire", new DashboardOptions
        {
            Authorization = [],
            AsyncAuthorization = [dashboard],
            AppPath = null,
        });
        return app;
    }
}
