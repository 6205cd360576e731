using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Runner.Api.Tests.Infrastructure;

namespace Runner.Reliability.Tests.Infrastructure;

/// <summary>
/// Runner.Api or Runner.Worker started from its build output as its own OS process, the way it
/// is deployed: real Kestrel on a loopback port (so Kestrel's own limits and answers are part of
/// what is tested), real Hangfire, and a process a test can SIGKILL.
/// </summary>
public sealed class ServiceProcess : IDisposable
{
    public const string CgroupParent = "runner-reliability-tests";

    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private ServiceProcess(string project, string? connectionString, IDictionary<string, string>? settings, int? port)
    {
        var configuration = AppContext.BaseDirectory.Contains("/bin/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var dll = Path.Combine(RepoPaths.Root, "src", project, "bin", configuration, "net10.0", project + ".dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"{dll} is missing; build src/{project} ({configuration})");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/" };
        psi.ArgumentList.Add(dll);
        if (port is { } p)
        {
            psi.ArgumentList.Add("--urls");
            psi.ArgumentList.Add($"http://127.0.0.1:{p}");
            Url = $"http://127.0.0.1:{p}";
        }
        psi.Environment["ConnectionStrings__Runner"] = connectionString ?? "";
        psi.Environment["Runner__CgroupParent"] = CgroupParent;
        psi.Environment["Runner__Queue__Workers"] = "2";
        psi.Environment["Logging__LogLevel__Default"] = "Information";
        psi.Environment["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning";
        psi.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var (k, v) in settings ?? new Dictionary<string, string>()) psi.Environment[k.Replace(":", "__", StringComparison.Ordinal)] = v;
        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The API host (roles from <paramref name="settings"/>, default api,worker), answering /health/live.</summary>
    public static async Task<ServiceProcess> StartApiAsync(string? connectionString, IDictionary<string, string>? settings = null)
    {
        var api = StartApi(connectionString, settings);
        await api.WaitUntilLiveAsync();
        return api;
    }

    /// <summary>The API host, not waited for.</summary>
    public static ServiceProcess StartApi(string? connectionString, IDictionary<string, string>? settings = null) =>
        new("Runner.Api", connectionString, settings, FreePort());

    public async Task WaitUntilLiveAsync()
    {
        var api = this;
        await api.WaitUntilAsync(async () =>
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            try
            {
                return (await http.GetAsync(api.Url + "/health/live")).StatusCode == HttpStatusCode.OK;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        }, "answer /health/live");
    }

    /// <summary>
    /// A standalone worker, once it recorded its languages for the API (which then accepts
    /// submissions for them within a second).
    /// </summary>
    public static async Task<ServiceProcess> StartWorkerAsync(string connectionString, IDictionary<string, string>? settings = null)
    {
        var worker = new ServiceProcess("Runner.Worker", connectionString, settings, port: null);
        await worker.WaitUntilAsync(() => Task.FromResult(worker.Log.Contains("recorded its languages", StringComparison.Ordinal)), "record its languages");
        await Task.Delay(1500);
        return worker;
    }

    public string Url { get; } = "";

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Log
    {
        get
        {
            lock (_log) return _log.ToString();
        }
    }

    public HttpClient Client(TimeSpan? timeout = null) => new() { BaseAddress = new Uri(Url), Timeout = timeout ?? TimeSpan.FromMinutes(2) };

    /// <summary>SIGKILL: no shutdown hooks, no chance to release the job, the claim or the work directory.</summary>
    public void Kill9()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit(10_000);
    }

    public long ResidentBytes() => Process.GetProcessById(Pid) is { } p ? p.WorkingSet64 : 0;

    private async Task WaitUntilAsync(Func<Task<bool>> ready, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (!await ready())
        {
            if (_process.HasExited) throw new InvalidOperationException($"the process exited ({_process.ExitCode}) before it would {what}:\n{Log}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"the process did not {what} within 90 s:\n{Log}");
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
