using Runner.Sandbox.Tests.Box;

namespace Runner.Sandbox.Tests.Launch;

[Collection("Boxes")]
public class LauncherMemoryTests
{
    // The box's init is a fork of the launcher, so its memory is a copy of the worker's: API
    // keys, connection strings. The probe looks for a secret that exists only in the launcher's
    // heap (as UTF-16); it is given the secret hex-encoded, so its own argv cannot match.
    private const string Probe = """
        import os, socket, sys
        if socket.gethostname() != 'sandbox' or os.getpid() > 10: sys.exit('refusing outside a box')
        needle = bytes.fromhex(sys.argv[1]).decode().encode('utf-16-le')
        try:
            maps = open('/proc/1/maps').read().splitlines()
            with open('/proc/1/mem', 'rb') as mem:
                for line in maps:
                    lo, hi = [int(x, 16) for x in line.split()[0].split('-')]
                    if 'r' not in line.split()[1]: continue
                    try:
                        mem.seek(lo); data = mem.read(min(hi - lo, 64 << 20))
                    except (OSError, OverflowError): continue
                    if needle in data: print('found the launcher secret'); break
                else: print('secret not found')
        except OSError as e:
            print('denied', e.errno)
        """;

    [Fact]
    public void The_program_cannot_read_the_memory_of_the_box_init_which_is_a_copy_of_the_launcher()
    {
        var secret = $"launcher-secret-{Guid.NewGuid():N}";
        var hex = Convert.ToHexString(System.Text.Encoding.UTF8.GetBytes(secret));
        var r = BoxRunner.Run(new SandboxSpec { Argv = ["python3", "-c", Probe, hex], Limits = new SandboxLimits { MemoryBytes = 512L << 20 } });
        GC.KeepAlive(secret);
        Assert.True(r.Status == SandboxStatus.Ok, r.Message + r.Stderr);
        Assert.True(r.Stdout.StartsWith("denied"), r.Stdout);
    }
}
