using Runner.Sandbox;

namespace Runner.Judge.Tests;

public class WorkRootTests
{
    [Fact]
    public void The_default_work_root_is_on_a_tmpfs_so_box_writes_count_against_memory()
    {
        var root = new JudgeOptions().WorkRoot;
        Assert.StartsWith("/dev/shm/", root);
    }

    [Fact]
    public void A_program_that_fills_its_box_directory_meets_its_memory_limit_instead_of_the_disk()
    {
        // A tmpfs work root of this test's own, like the default one, so the emptiness check below sees only this run.
        var options = new JudgeOptions { Sandbox = JudgeHarness.Sandbox, WorkRoot = "/dev/shm/runner-judge-tests-fill" };
        var fill = """
            import os, socket, sys
            if socket.gethostname() != 'sandbox' or os.getpid() > 10: sys.exit('refusing outside a box')
            block = b'x' * (1 << 20)
            for i in range(1000):
                with open(f'/box/fill{i}', 'wb') as f:
                    f.write(block)
            print('wrote 1000 MiB')
            """;
        var report = JudgeHarness.Run("python", fill, [JudgeHarness.Test("fill", "", "wrote 1000 MiB\n")],
            limits: JudgeHarness.Limits("python") with { FileSizeBytes = 2L << 20, WallTimeSeconds = 30 }, options: options);
        var test = Assert.Single(report.Tests);
        Assert.True(test.Verdict == Verdict.MemoryLimitExceeded, JudgeHarness.Describe(report));
        Assert.Empty(Directory.EnumerateFileSystemEntries(options.WorkRoot));
    }
}
