using Runner.Sandbox;

namespace Runner.Cli.Tests;

public class CheckCommandTests
{
    private readonly TestCli cli = new();

    [Fact]
    public void Each_probe_is_one_aligned_line_and_a_passing_host_exits_0()
    {
        cli.CheckReport = new HostCheckReport(true, [new("user namespaces", true, "max 1000"), new("cgroups", true, "v2")]);
        Assert.Equal(0, cli.Run("check"));
        Assert.Equal("ok   user namespaces: max 1000\nok   cgroups: v2\n", cli.Stdout);
    }

    [Fact]
    public void A_host_that_cannot_run_exits_1_and_marks_the_failing_probe()
    {
        cli.CheckReport = new HostCheckReport(false, [new("cgroups", false, "not\ndelegated")]);
        Assert.Equal(1, cli.Run("check"));
        Assert.Equal("FAIL cgroups: not delegated\n", cli.Stdout);
    }

    [Fact]
    public void Check_passes_the_environment_options_to_the_engine()
    {
        cli.Environment["RUNNER_SLOTS"] = "3";
        cli.Run("check");
        Assert.Equal(3, cli.LastOptions!.SlotCount);
    }

    [Fact]
    public void Check_takes_no_arguments()
    {
        Assert.Equal(2, cli.Run("check", "--json"));
        Assert.Equal("runner: --json: unexpected argument; 'runner check' takes none\n", cli.Stderr);
    }

    [Fact]
    public void The_host_check_on_this_machine_passes_and_ends_with_a_real_box()
    {
        var report = HostCheck.Run(new SandboxOptions { CgroupParent = "runner-cli-tests" });
        Assert.True(report.CanRun, string.Join("\n", report.Items.Select(i => $"{i.Name}: {i.Detail}")));
        Assert.Equal("box", report.Items[^1].Name);
        Assert.Contains(report.Items, i => i.Name.StartsWith("cgroup v"));
        // Each line reads "NAME: DETAIL"; a detail that starts with its name again prints "cgroup v1: cgroup v1 ...".
        Assert.All(report.Items, i => Assert.False(i.Detail.StartsWith(i.Name, StringComparison.Ordinal), $"{i.Name}: {i.Detail}"));
    }

    [Fact]
    public void Runner_check_warns_about_a_piped_core_pattern_module_autoloading_and_a_hugepage_pool()
    {
        var proc = Directory.CreateTempSubdirectory("runner-procsys-");
        try
        {
            void Write(string path, string text)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(proc.FullName, path))!);
                File.WriteAllText(Path.Combine(proc.FullName, path), text + "\n");
            }
            Write("kernel/core_pattern", "|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h");
            Write("kernel/modprobe", "/sbin/modprobe");
            Write("kernel/modules_disabled", "0");
            Write("vm/nr_hugepages", "512");
            Write("vm/nr_overcommit_hugepages", "0");
            var risky = HostRisks.Check(proc.FullName);
            Assert.All(risky, i => Assert.True(i.Ok && i.Detail.StartsWith("warning: "), $"{i.Name}: {i.Detail}"));

            Write("kernel/core_pattern", "core");
            Write("kernel/modprobe", "/bin/false");
            Write("vm/nr_hugepages", "0");
            var safe = HostRisks.Check(proc.FullName);
            Assert.All(safe, i => Assert.False(i.Detail.StartsWith("warning"), $"{i.Name}: {i.Detail}"));
        }
        finally
        {
            proc.Delete(true);
        }
    }
}
