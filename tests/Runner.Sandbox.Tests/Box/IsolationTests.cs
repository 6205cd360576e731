using Runner.Sandbox.Launch;

namespace Runner.Sandbox.Tests.Box;

[Collection("Boxes")]
public class IsolationTests
{
    [Fact]
    public async Task Root_inside_the_box_is_an_unprivileged_uid_on_the_host()
    {
        var marker = $"{Random.Shared.Next(100_000, 999_999)}";
        var run = Task.Run(() => BoxRunner.Sh($"id -u; exec sleep 3.{marker}"));
        var pids = BoxRunner.WaitFor(() => BoxRunner.HostPidsWith($"sleep 3.{marker}"), p => p.Count == 1, TimeSpan.FromSeconds(5), "the box's sleep on the host");
        var hostUid = BoxRunner.HostUidOf(pids[0]);
        var result = await run;

        Assert.Equal("0\n", result.Stdout);
        Assert.InRange(hostUid, BoxRunner.Options.FirstBoxUid, BoxRunner.Options.FirstBoxUid + BoxRunner.Options.SlotCount - 1);
    }

    [Fact]
    public void The_box_has_its_own_hostname_and_pid_namespace_and_the_program_is_not_pid_1()
    {
        var r = BoxRunner.Sh("hostname; echo $$; ls /proc | grep -c '^[0-9]'");
        Assert.Equal(SandboxStatus.Ok, r.Status);
        var lines = r.Stdout.Split('\n');
        Assert.Equal("sandbox", lines[0]);
        Assert.Equal("2", lines[1]);
        Assert.True(int.Parse(lines[2]) <= 4, $"box sees {lines[2]} processes: {r.Stdout}");
    }

    [Fact]
    public void Abort_gives_SIGABRT_as_on_a_normal_system()
    {
        var r = BoxRunner.Python("import os; os.abort()");
        Assert.Equal(SandboxStatus.Signaled, r.Status);
        Assert.Equal(6, r.Signal);
        Assert.Null(r.ExitCode);
    }

    [Fact]
    public void The_network_namespace_has_only_loopback_and_it_is_up()
    {
        var r = BoxRunner.Python("""
            import socket
            print(sorted(l.split(':')[0].strip() for l in open('/proc/net/dev').readlines()[2:]))
            s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(1)
            c = socket.create_connection(s.getsockname()); a, _ = s.accept(); c.send(b'hi'); print(a.recv(2).decode())
            try:
                socket.create_connection(('1.1.1.1', 53), timeout=1); print('reached the internet')
            except OSError as e:
                print('unreachable', e.errno)
            """);
        Assert.True(r.Status == SandboxStatus.Ok, r.Message + r.Stderr);
        Assert.Equal("['lo']\nhi\nunreachable 101\n", r.Stdout);
    }

    [Fact]
    public void The_root_is_read_only_and_box_and_tmp_are_writable()
    {
        var r = BoxRunner.Sh("""
            for p in / /usr /etc /dev; do touch $p/x 2>/dev/null && echo "$p writable" || echo "$p read-only"; done
            for p in /box /tmp /dev/shm; do touch $p/x && echo "$p writable"; done
            pwd
            """);
        Assert.Equal(SandboxStatus.Ok, r.Status);
        Assert.Equal("/ read-only\n/usr read-only\n/etc read-only\n/dev read-only\n/box writable\n/tmp writable\n/dev/shm writable\n/box\n", r.Stdout);
    }

    [Fact]
    public void The_box_sees_no_host_secrets_and_a_minimal_etc()
    {
        var r = BoxRunner.Sh("ls /etc; test -e /etc/shadow && echo shadow; test -e /root && echo root; test -e /home && echo home; test -e /work && echo work; true");
        Assert.Equal(SandboxStatus.Ok, r.Status);
        Assert.Contains("passwd", r.Stdout);
        Assert.DoesNotContain("shadow", r.Stdout);
        Assert.DoesNotContain("\nroot\n", "\n" + r.Stdout);
        Assert.DoesNotContain("work", r.Stdout);
    }

    [Fact]
    public void The_environment_is_clean_and_only_fds_0_to_2_are_inherited()
    {
        Environment.SetEnvironmentVariable("RUNNER_TEST_SECRET", "hunter2");
        var r = BoxRunner.Run(new SandboxSpec
        {
            Argv = ["/usr/bin/env"],
            Environment = new Dictionary<string, string> { ["EXTRA"] = "1" },
        });
        Assert.Equal(SandboxStatus.Ok, r.Status);
        Assert.Equal(["EXTRA=1", "HOME=/box", "LANG=C.UTF-8", "PATH=" + ProgramExec.DefaultPath], r.Stdout.Trim().Split('\n').Order());

        var fds = BoxRunner.Python("import os; print(sorted(int(f) for f in os.listdir('/proc/self/fd')))");
        Assert.Equal("[0, 1, 2, 3]\n", fds.Stdout); // 3 is listdir's own directory fd
    }

    [Fact]
    public void No_capabilities_no_new_privileges_and_a_seccomp_filter()
    {
        var r = BoxRunner.Sh("grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' /proc/self/status");
        Assert.Equal(SandboxStatus.Ok, r.Status);
        foreach (var cap in new[] { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb" })
            Assert.Contains($"{cap}:\t0000000000000000", r.Stdout);
        Assert.Contains("NoNewPrivs:\t1", r.Stdout);
        Assert.Contains("Seccomp:\t2", r.Stdout);
    }

    [Fact]
    public void The_box_has_its_own_cgroup_namespace()
    {
        var r = BoxRunner.Run("/bin/cat", "/proc/self/cgroup");
        Assert.Equal(SandboxStatus.Ok, r.Status);
        Assert.Contains("memory:/\n", r.Stdout);
        Assert.DoesNotContain("runner-tests", r.Stdout);
    }

    [Fact]
    public async Task The_box_init_and_its_program_are_in_the_box_cgroup_of_every_controller_on_the_host()
    {
        var marker = $"{Random.Shared.Next(100_000, 999_999)}";
        var run = Task.Run(() => BoxRunner.Run("/bin/sleep", $"3.{marker}"));
        var pids = BoxRunner.WaitFor(() => BoxRunner.HostPidsWith($"sleep 3.{marker}"), p => p.Count == 1, TimeSpan.FromSeconds(5), "the box's sleep on the host");
        var program = pids[0];
        var init = int.Parse(File.ReadAllLines($"/proc/{program}/status").First(l => l.StartsWith("PPid:"))[5..].Trim());
        var programCgroups = HostCgroups(program);
        var initCgroups = HostCgroups(init);
        await run;

        // On cgroup v1 the init moved itself in (CgroupSelfAttach); its program was born inside.
        foreach (var controller in new[] { "memory", "cpu", "cpuacct", "pids" })
        {
            Assert.Matches($"^/{BoxRunner.CgroupParent}/box-[0-9]+$", programCgroups[controller]);
            Assert.Equal(programCgroups[controller], initCgroups[controller]);
        }
    }

    /// <summary>A host pid's v1 cgroup per controller, from /proc/PID/cgroup ("4:memory:/path").</summary>
    private static Dictionary<string, string> HostCgroups(int pid)
    {
        var byController = new Dictionary<string, string>();
        foreach (var line in File.ReadAllLines($"/proc/{pid}/cgroup"))
        {
            var parts = line.Split(':', 3);
            foreach (var controller in parts[1].Split(',')) byController[controller] = parts[2];
        }
        return byController;
    }

    [Fact]
    public void Stdin_comes_from_the_given_file_and_extra_binds_are_read_only_unless_rw()
    {
        var dir = Directory.CreateTempSubdirectory("runner-bind-");
        try
        {
            // Binds are seen with the box's own (unprivileged) uid, so the directory must be readable by others.
            File.SetUnixFileMode(dir.FullName, (UnixFileMode)0x1ed);
            File.WriteAllText(Path.Combine(dir.FullName, "input.txt"), "hello from stdin\n");
            var r = BoxRunner.Run(new SandboxSpec
            {
                Argv = ["/bin/sh", "-c", "cat; cat /data/input.txt; touch /data/new 2>/dev/null || echo read-only"],
                StdinPath = Path.Combine(dir.FullName, "input.txt"),
                Binds = [new BindMount(dir.FullName, "/data")],
            });
            Assert.Equal(SandboxStatus.Ok, r.Status);
            Assert.Equal("hello from stdin\nhello from stdin\nread-only\n", r.Stdout);
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void A_host_workdir_is_writable_at_box_and_what_the_box_wrote_is_handed_back()
    {
        var dir = Directory.CreateTempSubdirectory("runner-work-");
        try
        {
            var r = BoxRunner.Run(new SandboxSpec
            {
                Argv = ["/bin/sh", "-c", "echo made > out.txt; mkdir sub; echo x > sub/y; ln -s /etc/shadow link"],
                WorkDir = dir.FullName,
            });
            Assert.True(r.Status == SandboxStatus.Ok, r.Message + r.Stderr);
            Assert.Equal("made\n", File.ReadAllText(Path.Combine(dir.FullName, "out.txt")));
            foreach (var path in new[] { dir.FullName, Path.Combine(dir.FullName, "out.txt"), Path.Combine(dir.FullName, "sub/y") })
                Assert.Equal(0, HostOwner(path));
            // The planted link was re-owned itself; its target was never touched.
            Assert.Equal(0, HostOwner("/etc/shadow"));
        }
        finally
        {
            dir.Delete(true);
        }
    }

    private static int HostOwner(string path) => int.Parse(RunHost("stat", "-c", "%u", path).Trim());

    private static string RunHost(params string[] argv)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(argv[0]) { RedirectStandardOutput = true };
        foreach (var a in argv[1..]) psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return text;
    }
}
