namespace Runner.Sandbox.Tests.Box;

[Collection("Boxes")]
public class ConcurrencyTests
{
    [Fact]
    public async Task Eight_concurrent_boxes_get_distinct_host_uids_and_leave_each_other_alone()
    {
        var marker = Random.Shared.Next(100_000, 999_999);
        // A thread each: the thread pool would start eight blocking runs only gradually on 2 cores.
        var runs = Enumerable.Range(0, 8).Select(i => Task.Factory.StartNew(() => BoxRunner.Sh($"""
            echo {i} > /tmp/mine; echo {i} > /box/mine; echo {i} > /dev/shm/mine
            kill -9 -1 2>/dev/null
            sleep 3.{marker}{i}
            cat /tmp/mine /box/mine /dev/shm/mine; ls /proc | grep -c '^[0-9]'
            """), TaskCreationOptions.LongRunning)).ToArray();

        var uids = BoxRunner.WaitFor(
            () => Enumerable.Range(0, 8).SelectMany(i => BoxRunner.HostPidsWith($"sleep 3.{marker}{i}", commandStartsWithMarker: true)).Select(BoxRunner.HostUidOf).ToList(),
            u => u.Count == 8, TimeSpan.FromSeconds(10), "eight boxes to be sleeping");
        var results = await Task.WhenAll(runs);

        Assert.Equal(8, uids.Distinct().Count());
        for (var i = 0; i < 8; i++)
        {
            Assert.True(results[i].Status == SandboxStatus.Ok, results[i].Message + results[i].Stderr);
            Assert.Equal($"{i}\n{i}\n{i}\n", string.Join('\n', results[i].Stdout.Split('\n').Take(3)) + "\n");
        }
        Assert.Empty(BoxRunner.LeftoverCgroups());
    }

    [Fact]
    public void Nothing_persists_from_one_run_to_the_next()
    {
        var first = BoxRunner.Sh("echo left > /tmp/left; echo left > /dev/shm/left; echo left > /box/left; ipcmk -M 4096 >/dev/null; ipcs -m | grep -c 0x");
        Assert.Equal(SandboxStatus.Ok, first.Status);
        Assert.Equal("1\n", first.Stdout);
        var second = BoxRunner.Sh("ls /tmp /dev/shm /box; ipcs -m | grep -c 0x; true");
        Assert.Equal("/box:\n\n/dev/shm:\n\n/tmp:\n0\n", second.Stdout);
    }
}
