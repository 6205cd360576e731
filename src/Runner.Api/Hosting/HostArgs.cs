namespace Runner.Api.Hosting;

/// <summary>Host settings the service defaults differently from .NET.</summary>
public static class HostArgs
{
    private const string ReloadOnChange = "hostBuilder:reloadConfigOnChange";

    /// <summary>
    /// Configuration is not reloaded when appsettings.json changes, unless asked with
    /// DOTNET_hostBuilder__reloadConfigOnChange=true or --hostBuilder:reloadConfigOnChange=true:
    /// the watch costs an inotify instance per host (128 per user by default), and a busy host
    /// that runs out of them fails at start-up. The service reads its options once anyway.
    /// </summary>
    public static string[] WithServiceDefaults(string[] args) =>
        Environment.GetEnvironmentVariable("DOTNET_" + ReloadOnChange.Replace(":", "__", StringComparison.Ordinal)) is not null
        || args.Any(a => a.Contains(ReloadOnChange, StringComparison.OrdinalIgnoreCase))
            ? args
            : [$"--{ReloadOnChange}=false", .. args];
}
