using System.Diagnostics;
using System.Text.Json;
using Runner.Api.Tests.Infrastructure;
using Runner.Compat.Tests.Infrastructure;

namespace Runner.Compat.Tests;

/// <summary>
/// The real npm package piston-client 1.0.2 (installed with npm from the registry) against Runner
/// started as its own process on a real port: the client sends text/plain bodies and no headers.
/// </summary>
[Collection("Compat")]
public sealed class PistonClientTests(CompatFixture fixture)
{
    [Fact]
    public async Task Piston_client_lists_runtimes_runs_python_and_c_with_stdin_and_args_and_reports_a_compile_error_and_a_timeout()
    {
        var dir = await InstallAsync();
        using var api = new ApiProcess(fixture.ConnectionString, settings: new Dictionary<string, string>
        {
            ["Runner:Roles"] = "api,worker",
            ["Runner:CgroupParent"] = RunnerHost.CgroupParent,
            ["Runner:Queue:Workers"] = "2",
        });
        var http = await api.ClientAsync(TimeSpan.FromMinutes(2));
        await CompatFixture.WaitForLanguagesAsync(http);

        var (code, stdout, stderr) = await RunAsync("node", dir, "drive.js", api.Url.ToString());
        Assert.True(code == 0, $"node exited {code}: {stderr}\n{api.Log}");
        var r = JsonDocument.Parse(stdout).RootElement;
        Assert.Contains(r.GetProperty("runtimes").EnumerateArray(), x => x.GetProperty("language").GetString() == "python");
        Assert.Equal("HELLO ['a', 'b c']\n", r.GetProperty("python").GetProperty("run").GetProperty("stdout").GetString());
        Assert.Equal("42 x\n", r.GetProperty("c").GetProperty("run").GetProperty("stdout").GetString());
        var compile = r.GetProperty("compileError");
        Assert.NotEqual(0, compile.GetProperty("compile").GetProperty("code").GetInt32());
        Assert.Contains("missing", compile.GetProperty("run").GetProperty("output").GetString());
        Assert.Equal("TO", r.GetProperty("timeout").GetProperty("run").GetProperty("status").GetString());
    }

    /// <summary>npm install of the pinned client into a scratch copy of PistonClient/, once per machine.</summary>
    private static async Task<string> InstallAsync()
    {
        var dir = Path.Combine(Path.GetTempPath(), "runner-compat-piston-client-1.0.2");
        Directory.CreateDirectory(dir);
        foreach (var f in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "PistonClient")))
            File.Copy(f, Path.Combine(dir, Path.GetFileName(f)), overwrite: true);
        if (!File.Exists(Path.Combine(dir, "node_modules", "piston-client", "package.json")))
        {
            var (code, _, stderr) = await RunAsync("npm", dir, "install", "--no-audit", "--no-fund");
            Assert.True(code == 0, $"npm install failed (is npm installed and the registry reachable?): {stderr}");
        }
        return dir;
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string program, string dir, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await p.WaitForExitAsync(timeout.Token);
        return (p.ExitCode, await stdout, await stderr);
    }
}
