using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Runner.Api.Tests.Infrastructure;

/// <summary>
/// src/Runner.Api started as its own OS process with the api role only, optionally as another
/// user through setpriv (no capabilities, no supplementary groups), listening on a free
/// loopback port.
/// </summary>
public sealed class ApiProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    public Uri Url { get; }

    public ApiProcess(string connectionString, int? uid = null, IDictionary<string, string>? settings = null, IPAddress? listen = null)
    {
        var configuration = AppContext.BaseDirectory.Contains("/bin/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var dll = Path.Combine(RepoPaths.Root, "src", "Runner.Api", "bin", configuration, "net10.0", "Runner.Api.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"{dll} is missing; build src/Runner.Api ({configuration})");
        var port = FreePort();
        Url = new Uri($"http://{listen ?? IPAddress.Loopback}:{port}");
        var psi = new ProcessStartInfo(uid is null ? "dotnet" : "setpriv") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/" };
        if (uid is { } u)
            foreach (var a in new[] { $"--reuid={u}", $"--regid={u}", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all", "--", "dotnet" })
                psi.ArgumentList.Add(a);
        psi.ArgumentList.Add(dll);
        psi.Environment["ConnectionStrings__Runner"] = connectionString;
        psi.Environment["Runner__Roles"] = "api";
        psi.Environment["ASPNETCORE_URLS"] = Url.ToString();
        psi.Environment["DOTNET_ENVIRONMENT"] = "Production";
        psi.Environment["HOME"] = "/tmp";
        psi.Environment["Logging__LogLevel__Default"] = "Information";
        foreach (var (k, v) in settings ?? new Dictionary<string, string>()) psi.Environment[k.Replace(":", "__", StringComparison.Ordinal)] = v;
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public string Log
    {
        get
        {
            lock (_log) return _log.ToString();
        }
    }

    /// <summary>A client for this process once it answers /health/live.</summary>
    public async Task<HttpClient> ClientAsync(TimeSpan timeout, HttpMessageHandler? handler = null)
    {
        var client = new HttpClient(handler ?? new HttpClientHandler()) { BaseAddress = Url, Timeout = TimeSpan.FromMinutes(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            Assert.False(_process.HasExited, $"the API process exited with {(_process.HasExited ? _process.ExitCode : 0)}:\n{Log}");
            try
            {
                if ((await client.GetAsync("/health/live")).IsSuccessStatusCode) return client;
            }
            catch (HttpRequestException)
            {
            }
            Assert.True(DateTime.UtcNow < deadline, $"the API process did not answer within {timeout}:\n{Log}");
            await Task.Delay(200);
        }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        _process.Dispose();
    }
}
