using System.Text.RegularExpressions;
using Runner.Api.Tests.Infrastructure;

namespace Runner.Api.Tests.Deployment;

/// <summary>
/// The README's worker command works as written on a fresh clone: every .dll it starts is the
/// output of a publish command earlier in the same block (DockerfileTests runs that same publish
/// of src/Runner.Worker, and HostSettingsTests shows the host then reads its appsettings.json
/// from any directory).
/// </summary>
public sealed partial class ReadmeCommandTests
{
    [Fact]
    public void The_readme_worker_command_starts_what_its_own_publish_command_produces()
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        var section = readme[readme.IndexOf("### Scaling workers", StringComparison.Ordinal)..];
        var block = ShellBlock().Match(section);
        Assert.True(block.Success, "the Scaling workers section has no ```sh block");
        var published = new Dictionary<string, string>();
        var started = 0;
        foreach (var line in block.Groups[1].Value.Split('\n'))
        {
            if (Publish().Match(line) is { Success: true } p)
                published[Path.GetFileName(p.Groups["project"].Value.TrimEnd('/'))] = p.Groups["out"].Value.TrimEnd('/');
            foreach (Match run in StartDll().Matches(line))
            {
                started++;
                var dll = run.Groups["dll"].Value;
                var project = Path.GetFileNameWithoutExtension(dll);
                Assert.True(published.TryGetValue(project, out var dir), $"`{dll}` is started but nothing before it in the block publishes {project}");
                Assert.Equal($"{dir}/{project}.dll", dll);
            }
        }
        Assert.True(started > 0, "the block starts no worker");
        Assert.Contains("Runner.Worker", published.Keys);
    }

    [GeneratedRegex(@"```sh\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();

    [GeneratedRegex(@"dotnet publish (?<project>\S+) .*-o (?<out>\S+)")]
    private static partial Regex Publish();

    [GeneratedRegex(@"dotnet (?<dll>\S+\.dll)")]
    private static partial Regex StartDll();
}
