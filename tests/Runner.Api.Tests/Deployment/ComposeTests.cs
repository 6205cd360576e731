using Runner.Api.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Runner.Api.Tests.Deployment;

/// <summary>What docker-compose.yml grants each service (read with a YAML parser; no engine here).</summary>
public sealed class ComposeTests
{
    private static YamlMappingNode Service(string name)
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(RepoPaths.Root, "docker-compose.yml")))
            yaml.Load(reader);
        var services = (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"];
        return (YamlMappingNode)services[name];
    }

    private static IEnumerable<string> Strings(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value)
            ? value is YamlSequenceNode seq ? seq.Children.Select(c => ((YamlScalarNode)c).Value!) : [((YamlScalarNode)value).Value!]
            : [];

    [Fact]
    public void The_compose_api_service_runs_unprivileged_with_no_sandbox_options()
    {
        var api = Service("api");
        var user = Strings(api, "user").SingleOrDefault();
        Assert.True(user is not null && user != "root" && !user.StartsWith('0'), $"api runs as '{user ?? "the image's root"}'");
        Assert.Contains("ALL", Strings(api, "cap_drop"));
        Assert.Empty(Strings(api, "cap_add"));
        Assert.DoesNotContain(Strings(api, "security_opt"), o => o.Contains("unconfined", StringComparison.Ordinal));
        Assert.Contains("no-new-privileges:true", Strings(api, "security_opt"));
        Assert.DoesNotContain(Strings(api, "privileged"), p => p == "true");
        Assert.False(api.Children.ContainsKey("cgroup"), "api needs no cgroup tree");
        var environment = (YamlMappingNode)api["environment"];
        Assert.Equal("api", ((YamlScalarNode)environment["Runner__Roles"]).Value);
    }
}
