using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Runner.Api.Tests.Infrastructure;

namespace Runner.Api.Tests.Deployment;

/// <summary>
/// A host started from another directory (a container's WORKDIR, systemd's /, the README's
/// `dotnet src/Runner.Worker/bin/...`) still reads the appsettings.json beside its binary.
/// </summary>
public sealed class HostSettingsTests
{
    [Theory]
    [InlineData("Runner.Api")]
    [InlineData("Runner.Worker")]
    public async Task A_host_reads_the_appsettings_json_beside_its_binary_from_any_current_directory(string host)
    {
        var configuration = AppContext.BaseDirectory.Contains("/bin/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var built = Path.Combine(RepoPaths.Root, "src", host, "bin", configuration, "net10.0");
        Assert.True(File.Exists(Path.Combine(built, host + ".dll")), $"{built} has no {host}.dll; build src/{host} ({configuration})");
        var copy = Directory.CreateTempSubdirectory("runner-host-settings-").FullName;
        try
        {
            CopyDirectory(built, copy);
            // An observable setting: the console logger writes JSON lines.
            var settingsPath = Path.Combine(copy, "appsettings.json");
            var settings = JsonNode.Parse(await File.ReadAllTextAsync(settingsPath))!.AsObject();
            settings["Logging"]!["Console"] = new JsonObject { ["FormatterName"] = "json" };
            await File.WriteAllTextAsync(settingsPath, settings.ToJsonString());

            var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = "/", RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add(Path.Combine(copy, host + ".dll"));
            psi.Environment["DOTNET_ENVIRONMENT"] = "Production";
            psi.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
            psi.Environment["Runner__Roles"] = "api";
            psi.Environment["Runner__CgroupParent"] = RunnerHost.CgroupParent;
            using var process = Process.Start(psi)!;
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                var first = await process.StandardOutput.ReadLineAsync(timeout.Token);
                Assert.NotNull(first);
                Assert.True(IsJson(first), $"{host} started in / did not use its appsettings.json (console format json); it logged: {first}");
            }
            finally
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    private static bool IsJson(string line)
    {
        try
        {
            return JsonDocument.Parse(line).RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }
}
