using System.Diagnostics;

namespace Runner.Security.Tests.Containment;

/// <summary>
/// For attacks whose harm lasts only while the box lives (a quota held, buffers filled, a lock
/// taken): the probe takes what it can, says so by creating <c>/sync/ready</c>, and keeps it
/// until the host, having checked the host-side effect, creates <c>/sync/done</c>.
/// </summary>
internal static class HoldingBox
{
    public const string BoxDirectory = "/sync";

    /// <summary>C helper for probes: signal the host, then hold until it is done (at most 20 s).</summary>
    public const string CHelper = """
        static void hold_until_the_host_is_done(void) {
            fflush(stdout);
            close(open("/sync/ready", O_WRONLY | O_CREAT, 0644));
            for (int i = 0; i < 2000 && access("/sync/done", F_OK) != 0; i++) usleep(10000);
        }

        """;

    /// <summary>Runs the box in the background, calls <paramref name="whileHeld"/> once it holds, then lets it finish.</summary>
    /// <remarks><paramref name="onLaunchingThread"/> runs on the thread that then launches the box (per-thread state such as nice); that thread ends with the run.</remarks>
    public static (SandboxResult Result, T Seen) Run<T>(Arena arena, SandboxSpec spec, Func<T> whileHeld, Action? onLaunchingThread = null)
    {
        var sync = Arena.NewPublicDirectory("runner-security-sync-");
        File.SetUnixFileMode(sync, (UnixFileMode)0x1ff);
        try
        {
            var boxed = spec with { Binds = [.. spec.Binds, new BindMount(sync, BoxDirectory, Writable: true)] };
            var run = Task.Factory.StartNew(() =>
            {
                onLaunchingThread?.Invoke();
                return arena.RunUnchecked(boxed);
            }, TaskCreationOptions.LongRunning); // a thread of its own, so per-thread state ends with it
            var clock = Stopwatch.StartNew();
            while (!File.Exists(Path.Combine(sync, "ready")) && !run.IsCompleted && clock.Elapsed < TimeSpan.FromSeconds(30))
                Thread.Sleep(10);
            if (run.IsCompleted)
                Assert.Fail($"the probe ended before it held anything: {Arena.Describe(run.Result)}");
            T seen;
            try
            {
                seen = whileHeld();
            }
            finally
            {
                File.WriteAllText(Path.Combine(sync, "done"), "");
            }
            var result = run.GetAwaiter().GetResult();
            HostInvariants.Check(arena);
            return (result, seen);
        }
        finally
        {
            Directory.Delete(sync, true);
        }
    }
}
