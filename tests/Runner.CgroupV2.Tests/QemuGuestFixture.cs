using System.Diagnostics;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Runner.CgroupV2.Tests;

[CollectionDefinition(Name)]
public sealed class QemuGuestCollection : ICollectionFixture<QemuGuestFixture>
{
    public const string Name = "cgroup v2 guest";
}

/// <summary>
/// Boots the guest once for the whole collection: every check runs in that one boot and
/// each test asserts on its own check's markers. Setup failures are kept, not thrown, so
/// every test fails with the same clear message (a missing VM is never a skip).
/// </summary>
public sealed class QemuGuestFixture
{
    public const string CacheVariable = "RUNNER_QEMU_CACHE";
    private static readonly TimeSpan QemuTimeout = TimeSpan.FromSeconds(150);

    private readonly Exception? _setupError;
    private readonly QemuBoot? _boot;
    private readonly List<string> _log = [];

    public TimeSpan SetupTime { get; }
    public string CacheRoot { get; }

    public QemuGuestFixture()
    {
        var clock = Stopwatch.StartNew();
        CacheRoot = Environment.GetEnvironmentVariable(CacheVariable) is { Length: > 0 } c
            ? c
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "runner-qemu");
        try
        {
            Directory.CreateDirectory(CacheRoot);
            GuestRequirements.Verify();
            var step = Stopwatch.StartNew();
            var kernel = GuestKernel.Fetch(CacheRoot, Log);
            Log($"  kernel ready in {step.Elapsed.TotalSeconds:0.0} s");
            step.Restart();
            var runner = RunnerCliBinary.Locate(CacheRoot, Log);
            Log($"  runner ready in {step.Elapsed.TotalSeconds:0.0} s");
            step.Restart();
            var guest = Path.Combine(AppContext.BaseDirectory, "guest");
            var initramfs = GuestInitramfs.Build(CacheRoot, guest, runner, Log);
            Log($"  initramfs ready in {step.Elapsed.TotalSeconds:0.0} s");
            _boot = QemuGuest.Boot(kernel, initramfs, Path.Combine(CacheRoot, "last-console.log"), QemuTimeout);
            Log($"qemu: exit {_boot.ExitCode}{(_boot.TimedOut ? " (TIMED OUT)" : "")} after {_boot.Total.TotalSeconds:0.0} s; " +
                $"@@BOOT seen after {_boot.UntilBootMarker?.TotalSeconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) ?? "never"} s " +
                $"(guest uptime {_boot.Console.BootUptimeSeconds?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} s), " +
                $"all checks done at guest uptime {_boot.Console.DoneUptimeSeconds?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "never"} s; " +
                $"console log: {_boot.ConsoleLogPath}");
        }
        catch (Exception e)
        {
            _setupError = e;
        }
        SetupTime = clock.Elapsed;
        Log($"setup total: {SetupTime.TotalSeconds:0.0} s");
    }

    private void Log(string line)
    {
        lock (_log) _log.Add(line);
    }

    /// <summary>Writes the setup log and timings into a test's output.</summary>
    public void Report(ITestOutputHelper output)
    {
        lock (_log)
            foreach (var line in _log) output.WriteLine(line);
    }

    /// <summary>The finished check <paramref name="name"/>, or a failure that says why there is none.</summary>
    internal GuestCheck Check(string name)
    {
        if (_setupError is not null)
            throw new XunitException(
                $"The cgroup v2 VM could not be prepared, so this check did not run.\n{_setupError.Message}" +
                (_setupError is HarnessSetupException ? "" : "\n" + _setupError));
        var boot = _boot!;
        var check = boot.Console.Find(name);
        if (check is null)
            throw new XunitException(
                $"The guest never started check '{name}'" +
                (boot.TimedOut ? $" (qemu was stopped after {QemuTimeout.TotalSeconds:0} s)" : $" (qemu exited {boot.ExitCode})") +
                $". Last console lines:\n{HostCommand.Tail(boot.Console.Raw, 30)}");
        if (check.ExitCode is null)
            throw new XunitException(
                $"Check '{name}' began but never ended" + (boot.TimedOut ? $" before qemu was stopped after {QemuTimeout.TotalSeconds:0} s" : "") +
                $". Its output:\n{check.Text}");
        return check;
    }
}
