using Runner.Security.Tests.Containment;

namespace Runner.Security.Tests;

/// <summary>
/// Kernel memory a box makes the host spend for it must be charged to the box. On cgroup v1,
/// socket buffers are charged only when the box's cgroup has a TCP memory limit; without one a
/// 64 MiB box held 600 MiB of unread loopback data. The host-side check is the kernel's own
/// count of socket memory, /proc/net/sockstat.
/// </summary>
[Collection("Attacks")]
public class SocketMemoryAttacks(Arena arena)
{
    private const long BoxMemory = 64L << 20;
    private const long Attempt = 256L << 20;
    private static readonly SandboxLimits Holding = new() { CpuTimeSeconds = 10, WallTimeSeconds = 30, MemoryBytes = BoxMemory, OpenFiles = 1024 };

    [Fact]
    public void Unread_TCP_buffers_are_charged_to_the_box_and_cannot_grow_past_its_memory_limit()
    {
        var probe = arena.Programs.C("tcp_hog", HoldingBox.CHelper + """
            #include <netinet/in.h>
            #include <netinet/tcp.h>
            int main(int argc, char **argv) {
                long goal = atol(argv[1]), held = 0; int conns = 0;
                int listener = socket(AF_INET, SOCK_STREAM, 0);
                struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
                socklen_t len = sizeof a;
                if (bind(listener, (void *)&a, sizeof a) || listen(listener, 512) || getsockname(listener, (void *)&a, &len)) { perror("listen"); return 3; }
                static char block[1 << 16];
                /* Buffers autotune up to tcp_wmem/tcp_rmem (4 + 6 MiB by default) per connection. */
                while (held < goal && conns < 200) {
                    int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
                    connect(c, (void *)&a, sizeof a);
                    int s = accept(listener, 0, 0); /* never read */
                    if (s < 0) break;
                    usleep(2000);
                    long here = 0; int stalls = 0;
                    while (held < goal && stalls < 20) {
                        ssize_t n = send(c, block, sizeof block, MSG_DONTWAIT);
                        if (n > 0) { held += n; here += n; stalls = 0; } else { stalls++; usleep(2000); }
                    }
                    conns++;
                    if (here == 0) break; /* the kernel refuses to buffer more */
                }
                printf("held %ld %d\n", held, conns);
                hold_until_the_host_is_done();
                return 0;
            }
            """);
        var before = SocketMemoryPages("TCP");
        var (r, during) = HoldingBox.Run(arena, Arena.Spec(Holding, probe, Attempt.ToString()), () => SocketMemoryPages("TCP"));
        AssertCharged(r, before, during, "TCP");
    }

    [Fact]
    public void Unread_UDP_datagrams_are_charged_to_the_box_and_cannot_grow_past_its_memory_limit()
    {
        var probe = arena.Programs.C("udp_hog", HoldingBox.CHelper + """
            #include <netinet/in.h>
            int main(int argc, char **argv) {
                long goal = atol(argv[1]), held = 0; int sockets = 0;
                static char block[60000];
                while (held < goal && sockets < 200) {
                    int rx = socket(AF_INET, SOCK_DGRAM, 0), tx = socket(AF_INET, SOCK_DGRAM, 0);
                    int big = 64 << 20;
                    setsockopt(rx, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
                    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
                    socklen_t len = sizeof a;
                    if (bind(rx, (void *)&a, sizeof a) || getsockname(rx, (void *)&a, &len)) break;
                    long here = 0; int failures = 0;
                    while (held < goal && failures < 20) {
                        ssize_t n = sendto(tx, block, sizeof block, MSG_DONTWAIT, (void *)&a, sizeof a);
                        if (n > 0) { held += n; here += n; } else failures++;
                        /* a datagram the receiver cannot take is dropped silently: count what is queued */
                        int queued = 0; ioctl(rx, 0x541B /* FIONREAD */, &queued);
                        if (n > 0 && queued == 0) failures++;
                    }
                    sockets++;
                    if (here == 0) break;
                }
                printf("sent %ld %d\n", held, sockets);
                hold_until_the_host_is_done();
                return 0;
            }
            """);
        var before = SocketMemoryPages("UDP");
        var (r, during) = HoldingBox.Run(arena, Arena.Spec(Holding, probe, Attempt.ToString()), () => SocketMemoryPages("UDP"));
        AssertCharged(r, before, during, "UDP");
    }

    private static void AssertCharged(SandboxResult r, long before, long during, string protocol)
    {
        // Either the box was stopped at its limit, or the kernel refused to buffer more for it.
        Expect.StatusIn(r, SandboxStatus.Ok, SandboxStatus.MemoryLimit);
        var grownBytes = (during - before) * 4096;
        Assert.True(grownBytes < BoxMemory + (16L << 20),
            $"host {protocol} socket memory grew by {grownBytes >> 20} MiB for a box of {BoxMemory >> 20} MiB: {Arena.Describe(r)}");
        // What the box held shows in its peak.
        Assert.True(r.MemoryPeak >= Math.Min(grownBytes, BoxMemory) / 2,
            $"memory_peak {r.MemoryPeak} does not show the {grownBytes >> 20} MiB of {protocol} buffers: {Arena.Describe(r)}");
    }

    /// <summary>The "mem" field of a protocol's line in /proc/net/sockstat, in pages, host-wide.</summary>
    private static long SocketMemoryPages(string protocol)
    {
        var line = File.ReadLines("/proc/net/sockstat").First(l => l.StartsWith(protocol + ":"));
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return long.Parse(fields[Array.IndexOf(fields, "mem") + 1]);
    }
}
