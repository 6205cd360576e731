namespace Runner.Api.Tests.Infrastructure;

public static class TestHosts
{
    public const string Python = "python";

    /// <summary>A host on the given database with the judge every real host uses (real boxes).</summary>
    public static RunnerHost Api(string connectionString, IDictionary<string, string?>? settings = null) =>
        new(connectionString, settings);
}

[CollectionDefinition("Service")]
public sealed class ServiceCollection;
