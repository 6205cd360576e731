using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.FileSystemGlobbing;
using Runner.Api.Tests.Infrastructure;

namespace Runner.Api.Tests.Deployment;

/// <summary>
/// There is no container engine here, so the image is checked by doing what its build does:
/// the build context is copied as Docker would send it (.dockerignore applied), the build
/// stage's own RUN lines run in it, and every path the runtime stage and docker-compose.yml use
/// must then exist. Package installation (apt-get) is the one thing not repeated on this host.
/// </summary>
public sealed partial class DockerfileTests
{
    private static readonly string DockerfilePath = Path.Combine(RepoPaths.Root, "deploy", "Dockerfile");

    [Fact]
    public async Task The_dockerfile_build_stage_publishes_every_host_the_image_starts()
    {
        var dockerfile = Dockerfile.Parse(await File.ReadAllTextAsync(DockerfilePath));
        var build = dockerfile["build"];
        var context = CopyBuildContext();
        try
        {
            var runs = build.Runs.Where(r => !r.StartsWith("apt-get", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(runs);
            foreach (var run in runs)
            {
                var (exit, output) = await ShellAsync(run, InContext(context, build.WorkDir));
                Assert.True(exit == 0, $"RUN {run}\nexited {exit}:\n{output}");
            }

            // Where each image path comes from: COPY --from=build SRC DST.
            var final = dockerfile.Stages[^1];
            var copies = final.CopiesFromStages.Where(c => c.From == "build").ToList();
            Assert.NotEmpty(copies);
            foreach (var (_, source, _) in copies)
                Assert.True(Path.Exists(InContext(context, source)), $"COPY --from=build {source}: not produced by the build stage");

            var compose = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "docker-compose.yml"));
            var started = ImagePath().Matches(compose + string.Join('\n', final.Instructions.Where(i => i.Keyword == "CMD").Select(i => i.Arguments)))
                .Select(m => m.Value).Distinct().ToList();
            Assert.Contains("/app/api/Runner.Api.dll", started);
            Assert.Contains("/app/worker/Runner.Worker.dll", started);
            foreach (var path in started)
            {
                var copy = copies.FirstOrDefault(c => path == c.Destination || path.StartsWith(c.Destination.TrimEnd('/') + "/", StringComparison.Ordinal));
                Assert.True(copy != default, $"{path} is started by the image or compose but no COPY puts it there");
                var onHost = InContext(context, copy.Source + path[copy.Destination.Length..]);
                Assert.True(File.Exists(onHost), $"{path} (from {copy.Source}) is missing after the build stage");
            }

            // The runner CLI's publish folder holds what README "Installing runner" lists, nothing else.
            var runner = copies.Single(c => c.Destination == "/usr/local/bin/runner").Source;
            var runnerFolder = InContext(context, Path.GetDirectoryName(runner)!);
            Assert.Equal(["languages.json", "runner", "runner-launcher", "runner.dbg", "seccomp/default.json"],
                Directory.GetFiles(runnerFolder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(runnerFolder, f)).Order(StringComparer.Ordinal));

            // Each host ships its own settings, not the API's copied over the worker's.
            foreach (var host in new[] { "Runner.Api", "Runner.Worker" })
            {
                var dll = started.Single(p => p.EndsWith($"/{host}.dll", StringComparison.Ordinal));
                var copy = copies.First(c => dll.StartsWith(c.Destination, StringComparison.Ordinal));
                var published = Path.Combine(InContext(context, copy.Source + Path.GetDirectoryName(dll)![copy.Destination.Length..]), "appsettings.json");
                Assert.Equal(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "src", host, "appsettings.json")), await File.ReadAllTextAsync(published));
            }
        }
        finally
        {
            Directory.Delete(context, recursive: true);
        }
    }

    [Fact]
    public async Task The_runtime_image_installs_the_toolchains_of_the_rootfs_package_list()
    {
        // rootfs/packages.txt is what RootfsImageTests proves runs every shipped language.
        var final = Dockerfile.Parse(await File.ReadAllTextAsync(DockerfilePath)).Stages[^1];
        Assert.Contains(final.Instructions, i => i.Keyword == "COPY" && i.Arguments.StartsWith("rootfs/packages.txt ", StringComparison.Ordinal));
        Assert.Contains(final.Runs, r => r.Contains("/tmp/packages.txt", StringComparison.Ordinal) && r.Contains("apt-get install", StringComparison.Ordinal));
    }

    /// <summary>An image path (WORKDIR /src, COPY sources) inside the copied context.</summary>
    private static string InContext(string context, string imagePath) =>
        imagePath.StartsWith("/src", StringComparison.Ordinal)
            ? Path.Combine(context, imagePath["/src".Length..].TrimStart('/'))
            : throw new InvalidOperationException($"{imagePath}: only paths under the build stage's /src map to this machine");

    /// <summary>The repository as `docker build .` sends it: every file not matched by .dockerignore.</summary>
    private static string CopyBuildContext()
    {
        var ignore = Path.Combine(RepoPaths.Root, ".dockerignore");
        Assert.True(File.Exists(ignore), ".dockerignore is missing: the host's bin/ and obj/ would be sent to the image build");
        var matcher = new Matcher();
        matcher.AddInclude("**/*");
        foreach (var line in File.ReadAllLines(ignore).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            Assert.False(line.StartsWith('!'), ".dockerignore exceptions are not modelled by this test");
            matcher.AddExclude(line);
            matcher.AddExclude(line.TrimEnd('/') + "/**");
        }
        var context = Directory.CreateTempSubdirectory("runner-docker-context-").FullName;
        foreach (var relative in matcher.GetResultsInFullPath(RepoPaths.Root).Select(f => Path.GetRelativePath(RepoPaths.Root, f)))
        {
            var target = Path.Combine(context, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(RepoPaths.Root, relative), target);
        }
        Assert.False(Directory.Exists(Path.Combine(context, "src", "Runner.Api", "bin")), "the copied context holds build output");
        return context;
    }

    private static async Task<(int Exit, string Output)> ShellAsync(string command, string directory)
    {
        var psi = new ProcessStartInfo("/bin/sh") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(command);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await p.WaitForExitAsync(timeout.Token);
        return (p.ExitCode, await stdout + await stderr);
    }

    [GeneratedRegex(@"/app/[A-Za-z0-9_./-]+")]
    private static partial Regex ImagePath();
}
