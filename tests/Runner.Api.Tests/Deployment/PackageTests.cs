using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Runner.Api.Tests.Infrastructure;

namespace Runner.Api.Tests.Deployment;

/// <summary>
/// deploy/package.sh built on this machine and installed into a throwaway root (never the real
/// /usr or /etc): the files land under FHS paths, the installed runner, judge and API host work
/// from there, the worker unit's capability set is enough for real boxes, and systemd accepts
/// both units.
/// </summary>
public sealed partial class PackageTests(PackageTests.Built package) : IClassFixture<PackageTests.Built>
{
    /// <summary>One build per test run: publishing three projects takes minutes.</summary>
    public sealed class Built : IDisposable
    {
        public string Output { get; } = Directory.CreateTempSubdirectory("runner-package-").FullName;
        public string Root { get; }
        public string Log { get; }

        public Built()
        {
            var r = Run("bash", [Path.Combine(RepoPaths.Root, "deploy", "package.sh"), "--version", "1.2.3", Output], TimeSpan.FromMinutes(20));
            Log = r.Stdout + r.Stderr;
            Assert.True(r.Exit == 0, $"deploy/package.sh failed ({r.Exit}):\n{Log}");
            Root = Path.Combine(Output, "root");
            Directory.CreateDirectory(Root);
            var tar = Run("tar", ["-C", Root, "-xzf", Path.Combine(Output, "runner_1.2.3_amd64.tar.gz")], TimeSpan.FromMinutes(2));
            Assert.True(tar.Exit == 0, tar.Stderr);
            // Readable by the unprivileged users some tests run as, like an installed /usr.
            File.SetUnixFileMode(Output, (UnixFileMode)0x1ed);
        }

        public void Dispose() => Directory.Delete(Output, recursive: true);
    }

    private static readonly string[] Installed =
    [
        "usr/bin/runner", "usr/lib/runner/cli/runner", "usr/lib/runner/api/Runner.Api", "usr/lib/runner/api/Runner.Api.dll", "usr/lib/runner/api/appsettings.json",
        "usr/lib/runner/worker/Runner.Worker", "usr/lib/runner/worker/Runner.Worker.dll", "usr/lib/runner/worker/appsettings.json",
        "usr/share/runner/seccomp/default.json", "usr/share/runner/languages.json",
        "usr/lib/systemd/system/runner-api.service", "usr/lib/systemd/system/runner-worker.service",
        "etc/runner/api.env", "etc/runner/worker.env", "usr/share/doc/runner/README.md",
    ];

    [Fact]
    public void The_tarball_and_the_deb_install_the_same_files_under_fhs_paths()
    {
        foreach (var path in Installed) Assert.True(File.Exists(Path.Combine(package.Root, path)), $"{path} is not in the tarball:\n{package.Log}");
        Assert.Equal(File.ReadAllText(Path.Combine(RepoPaths.Root, "seccomp", "default.json")), File.ReadAllText(Path.Combine(package.Root, "usr/share/runner/seccomp/default.json")));
        Assert.Empty(Directory.EnumerateFiles(package.Root, "*.pdb", SearchOption.AllDirectories));
        var tarFiles = Directory.EnumerateFiles(package.Root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(package.Root, f)).Order(StringComparer.Ordinal).ToList();

        var deb = Path.Combine(package.Output, "runner_1.2.3_amd64.deb");
        var contents = Run("dpkg-deb", ["--contents", deb], TimeSpan.FromMinutes(1));
        Assert.True(contents.Exit == 0, contents.Stderr);
        // Regular files and symlinks ("usr/bin/runner -> ../lib/runner/cli/runner"), as EnumerateFiles lists them.
        var debFiles = contents.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l[0] is '-' or 'l')
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[5].TrimStart('.', '/')).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(tarFiles, debFiles);
        var conffiles = Run("dpkg-deb", ["--info", deb, "conffiles"], TimeSpan.FromMinutes(1));
        Assert.Equal("/etc/runner/api.env\n/etc/runner/worker.env\n", conffiles.Stdout);
        Assert.Equal("1.2.3\n", Run("dpkg-deb", ["--field", deb, "Version"], TimeSpan.FromMinutes(1)).Stdout);
    }

    [Fact]
    public void The_installed_runner_check_passes()
    {
        var r = Run(Path.Combine(package.Root, "usr/bin/runner"), ["check"], TimeSpan.FromMinutes(2), Engine);
        Assert.True(r.Exit == 0, $"installed runner check exited {r.Exit}:\n{r.Stdout}{r.Stderr}");
        Assert.DoesNotContain("FAIL", r.Stdout);
    }

    [Fact]
    public void The_installed_runner_judges_with_nothing_but_the_worker_units_capabilities_and_no_new_privileges()
    {
        var unit = File.ReadAllText(Path.Combine(package.Root, "usr/lib/systemd/system/runner-worker.service"));
        var caps = CapabilityLine().Match(unit).Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(c => "+" + c["CAP_".Length..].ToLowerInvariant()).ToList();
        Assert.Contains("+sys_admin", caps);
        Assert.Contains("NoNewPrivileges=yes", unit);

        var work = Directory.CreateTempSubdirectory("runner-package-judge-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(work, "main.c"), "#include <stdio.h>\nint main(void){int a,b;scanf(\"%d %d\",&a,&b);printf(\"%d\\n\",a+b);}\n");
            var tests = Directory.CreateDirectory(Path.Combine(work, "tests")).FullName;
            File.WriteAllText(Path.Combine(tests, "1.in"), "2 3\n");
            File.WriteAllText(Path.Combine(tests, "1.out"), "5\n");
            File.WriteAllText(Path.Combine(tests, "2.in"), "40 2\n");
            File.WriteAllText(Path.Combine(tests, "2.out"), "42\n");
            var r = Run("setpriv", [$"--bounding-set=-all,{string.Join(',', caps)}", "--inh-caps=-all", "--no-new-privs", "--",
                Path.Combine(package.Root, "usr/bin/runner"), "judge", "--language", "c", "--source", Path.Combine(work, "main.c"), "--tests", tests, "--json"],
                TimeSpan.FromMinutes(3), Engine);
            Assert.True(r.Exit == 0, $"judge under the unit's capabilities exited {r.Exit}:\n{r.Stdout}{r.Stderr}");
            Assert.Contains("\"verdict\":\"accepted\"", r.Stdout);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task The_installed_api_host_starts_from_its_directory_and_serves_health_and_metrics()
    {
        var port = FreePort();
        var start = new ProcessStartInfo(Path.Combine(package.Root, "usr/lib/runner/api/Runner.Api")) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/" };
        start.Environment["Runner__Roles"] = "api";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["HOME"] = package.Output;
        using var api = Process.Start(start)!;
        var log = new System.Text.StringBuilder();
        api.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        api.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        api.BeginOutputReadLine();
        api.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                Assert.False(api.HasExited, $"the installed API exited:\n{log}");
                try
                {
                    if ((await client.GetAsync("/health/live")).IsSuccessStatusCode) break;
                }
                catch (HttpRequestException)
                {
                }
                Assert.True(DateTime.UtcNow < deadline, $"the installed API did not answer:\n{log}");
                await Task.Delay(200);
            }
            var metrics = await client.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
            Assert.Contains("runner_workers_alive", await metrics.Content.ReadAsStringAsync());
        }
        finally
        {
            api.Kill(entireProcessTree: true);
            await api.WaitForExitAsync();
        }
    }

    [Fact]
    public void Systemd_analyze_verify_accepts_both_units_as_installed_without_a_warning()
    {
        if (Run("sh", ["-c", "command -v systemd-analyze"], TimeSpan.FromSeconds(10)).Exit != 0)
            Assert.Fail("systemd-analyze is missing: apt-get install systemd (.ci/run installs it)");
        foreach (var name in new[] { "runner-api.service", "runner-worker.service" })
        {
            // verify checks that ExecStart exists; point it at the installed root instead of /usr.
            var unit = Path.Combine(package.Output, name);
            File.WriteAllText(unit, File.ReadAllText(Path.Combine(package.Root, "usr/lib/systemd/system", name))
                .Replace("ExecStart=/usr/lib/runner/", $"ExecStart={package.Root}/usr/lib/runner/", StringComparison.Ordinal));
            var r = Run("systemd-analyze", ["verify", unit], TimeSpan.FromMinutes(1));
            // verify exits 0 on an unknown key or a bad value and only prints a warning: any output is a failure.
            Assert.True(r.Exit == 0 && r.Stdout.Trim().Length == 0 && r.Stderr.Trim().Length == 0, $"{name}: exit {r.Exit}\n{r.Stdout}{r.Stderr}");
        }
    }

    private static readonly Dictionary<string, string> Engine = new() { ["RUNNER_CGROUP_PARENT"] = RunnerHost.CgroupParent };

    [GeneratedRegex(@"^CapabilityBoundingSet=(.*)$", RegexOptions.Multiline)]
    private static partial Regex CapabilityLine();

    private static (int Exit, string Stdout, string Stderr) Run(string program, IEnumerable<string> args, TimeSpan timeout, IDictionary<string, string>? env = null)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) start.Environment[k] = v;
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not finish within {timeout}");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
