namespace Runner.Api.Tests.Infrastructure;

public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Runner.sln"))) return d.FullName;
        throw new InvalidOperationException("cannot find the repository root (Runner.sln) above " + AppContext.BaseDirectory);
    }
}
