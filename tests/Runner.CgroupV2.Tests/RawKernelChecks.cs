using Xunit.Abstractions;

namespace Runner.CgroupV2.Tests;

/// <summary>
/// What the guest kernel itself does, probed with busybox and the static probe programs
/// only. These hold without the engine; if one fails, the runner checks below it cannot be
/// trusted either, because the VM is not the v2 host they assume.
/// </summary>
[Collection(QemuGuestCollection.Name)]
public sealed class RawKernelChecks(QemuGuestFixture guest, ITestOutputHelper output)
{
    [Fact]
    public void The_guest_mounts_cgroup2_alone_with_every_controller_runner_uses_enabled()
    {
        var check = Finished("raw/10-cgroup2-only");
        var enabled = (check.Value("subtree_control") ?? "").Split(' ');
        foreach (var controller in new[] { "memory", "cpu", "pids", "cpuset", "io" })
            Assert.True(enabled.Contains(controller), $"controller {controller} is not in the root's cgroup.subtree_control.\n{check.Text}");
    }

    [Fact]
    public void The_guest_kernel_provides_memory_peak_pids_peak_and_cgroup_kill()
    {
        var check = Finished("raw/20-interface-files");
        var missing = check.Lines.Where(l => l.EndsWith(" missing", StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, $"cgroup v2 interface files missing on this kernel:\n{string.Join('\n', missing)}\n{check.Text}");
        Assert.Contains("file memory.peak present", check.Lines);
    }

    [Fact]
    public void A_shell_in_a_32M_memory_cgroup_running_memhog_is_oom_killed_and_counted_in_memory_events()
    {
        var check = Finished("raw/30-oom-kill");
        Assert.True(check.Value("memhog_rc") == "137", $"memhog should die by SIGKILL (rc 137).\n{check.Text}");
        Assert.True(check.Number("memory.events oom_kill") >= 1, $"memory.events should count the OOM kill.\n{check.Text}");
        Assert.True(check.Number("memory.peak") <= 32L << 20, $"memory.peak should not exceed memory.max.\n{check.Text}");
    }

    [Fact]
    public void A_pids_max_of_16_holds_the_bounded_fork_bomb()
    {
        var check = Finished("raw/40-pids-limit");
        var bomb = ForkBombReport.Parse(check.Text);
        Assert.True(bomb is { Failed: > 0, Succeeded: < 16 }, $"the fork bomb should be held at 16 tasks.\n{check.Text}");
        Assert.True(check.Number("pids.peak") <= 16, $"pids.peak should not exceed pids.max.\n{check.Text}");
    }

    [Fact]
    public void Cpu_max_at_20_percent_throttles_a_spinning_process()
    {
        var check = Finished("raw/50-cpu-max");
        Assert.True(check.Number("cpu.stat nr_throttled") > 0, $"cpu.stat should show throttling.\n{check.Text}");
        // 2 s of wall time at 20% is 0.4 s of CPU; unthrottled it would be about 2 s.
        Assert.True(check.Number("cpu.stat usage_usec") < 1_200_000, $"usage should stay near 20% of 2 s.\n{check.Text}");
    }

    [Fact]
    public void Cgroup_kill_ends_every_process_of_the_cgroup()
    {
        var check = Finished("raw/60-cgroup-kill");
        Assert.True(check.Value("killed_rc") == "137", $"the cgroup's processes should die by SIGKILL.\n{check.Text}");
        Assert.True(check.Value("procs_after") == "0", $"cgroup.procs should be empty after cgroup.kill.\n{check.Text}");
    }

    [Fact]
    public void An_unprivileged_user_can_limit_a_cgroup_in_its_delegated_subtree_and_open_a_user_namespace()
    {
        var check = Finished("delegated/10-delegated-subtree");
        Assert.True(check.Value("uid") == "1000", $"the check should run as uid 1000.\n{check.Text}");
        Assert.True(check.Value("self") == "0::/runner-user/launcher", $"the unprivileged shell should start in the delegated launcher leaf.\n{check.Text}");
        Assert.True(check.Value("memhog_rc") == "137" && check.Number("memory.events oom_kill") >= 1,
            $"a memory.max the user wrote should be enforced.\n{check.Text}");
        Assert.True(check.Value("userns_uid") == "0", $"an unprivileged user namespace should map the user to root.\n{check.Text}");
    }

    private GuestCheck Finished(string name)
    {
        guest.Report(output);
        var check = guest.Check(name);
        output.WriteLine($"--- {name} (rc={check.ExitCode})\n{check.Text}");
        Assert.True(check.ExitCode == 0, $"check script {name} failed with rc={check.ExitCode}.\n{check.Text}");
        return check;
    }
}
