using System.Diagnostics;
using System.Text;

namespace Runner.Api.Tests.Infrastructure;

/// <summary>
/// src/Runner.Worker started as its own OS process on the test database, so a test can kill
/// it with SIGKILL in the middle of a job.
/// </summary>
public sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    public WorkerProcess(string connectionString, IDictionary<string, string>? settings = null)
    {
        var configuration = AppContext.BaseDirectory.Contains("/bin/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        var dll = Path.Combine(RepoPaths.Root, "src", "Runner.Worker", "bin", configuration, "net10.0", "Runner.Worker.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"{dll} is missing; build src/Runner.Worker ({configuration})");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(dll)! };
        psi.ArgumentList.Add(dll);
        psi.Environment["ConnectionStrings__Runner"] = connectionString;
        psi.Environment["Runner__CgroupParent"] = RunnerHost.CgroupParent;
        psi.Environment["Runner__Queue__Workers"] = "2";
        psi.Environment["Logging__LogLevel__Default"] = "Information";
        psi.Environment["DOTNET_ENVIRONMENT"] = "Production";
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

    /// <summary>SIGKILL: no shutdown hooks, no chance to release the job or the claim.</summary>
    public void Kill9()
    {
        _process.Kill(entireProcessTree: false);
        _process.WaitForExit(10_000);
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
