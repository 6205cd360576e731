using System.Diagnostics;
using System.Text;

namespace Runner.CgroupV2.Tests;

/// <summary>What one boot of the guest produced, with host-side timings.</summary>
internal sealed record QemuBoot(GuestConsole Console, int ExitCode, bool TimedOut, TimeSpan Total, TimeSpan? UntilBootMarker, string ConsoleLogPath);

/// <summary>
/// Boots the kernel and initramfs once under qemu (software emulation: no KVM is assumed)
/// and collects the serial console until the guest powers off.
/// </summary>
internal static class QemuGuest
{
    // The guest's defaults: cgroup v1 disabled so the kernel looks like a v2-only host;
    // panic=-1 plus -no-reboot turns a crashed /init into a quick qemu exit instead of a hang.
    public const string KernelCommandLine = "console=ttyS0 quiet panic=-1 cgroup_no_v1=all";

    public static QemuBoot Boot(string kernel, string initramfs, string consoleLogPath, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo("timeout")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        // coreutils timeout as the parent, so qemu dies on time even if this test host is
        // killed first; the managed wait below is only the second line.
        foreach (var a in new[]
                 {
                     "--kill-after=5", ((int)timeout.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "qemu-system-x86_64", "-m", "1024", "-smp", "2", "-nographic", "-no-reboot",
                     "-kernel", kernel, "-initrd", initramfs, "-append", KernelCommandLine,
                 })
            psi.ArgumentList.Add(a);

        var output = new StringBuilder();
        var clock = Stopwatch.StartNew();
        TimeSpan? untilBoot = null;
        using var process = Process.Start(psi) ?? throw new HarnessSetupException("could not start qemu-system-x86_64");
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output)
            {
                if (untilBoot is null && e.Data.Contains("@@BOOT ", StringComparison.Ordinal)) untilBoot = clock.Elapsed;
                output.Append(e.Data).Append('\n');
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output) output.Append("[qemu stderr] ").Append(e.Data).Append('\n');
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var timedOut = false;
        if (!process.WaitForExit(timeout + TimeSpan.FromSeconds(15)))
        {
            timedOut = true;
            process.Kill(entireProcessTree: true);
        }
        process.WaitForExit();
        clock.Stop();
        // coreutils timeout exits 124 when it had to stop qemu.
        timedOut |= process.ExitCode is 124 or 137;

        string raw;
        lock (output) raw = output.ToString();
        File.WriteAllText(consoleLogPath, raw);
        return new QemuBoot(new GuestConsole(raw), process.ExitCode, timedOut, clock.Elapsed, untilBoot, consoleLogPath);
    }
}
