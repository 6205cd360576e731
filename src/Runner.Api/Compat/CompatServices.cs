using Runner.Api.Compat.Judge0;
using Runner.Api.Compat.Piston;

namespace Runner.Api.Compat;

public static class CompatServices
{
    /// <summary>What the Judge0 and Piston surfaces need (api role only: they read the live workers' languages).</summary>
    public static IServiceCollection AddCompat(this IServiceCollection services)
    {
        services.AddSingleton<CompatLanguages>();
        services.AddSingleton<Judge0SubmissionReader>();
        services.AddSingleton<PistonRuntimes>();
        return services;
    }
}
