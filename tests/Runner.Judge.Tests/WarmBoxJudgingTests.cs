using System.Globalization;

namespace Runner.Judge.Tests;

/// <summary>
/// A judge with a warm pool of its own (<see cref="JudgeOptions.WarmBoxes"/>, what `runner judge`
/// uses): box N+1 is prepared while test N runs, and nothing else about judging changes.
/// </summary>
public sealed class WarmBoxJudgingTests
{
    private static readonly JudgeOptions Warm = JudgeHarness.Options with { WarmBoxes = 1 };

    [Theory]
    [InlineData("python", "behave.py")]
    [InlineData("c", "behave.c")]
    public void Judging_with_warm_boxes_gives_the_same_verdicts_as_cold_boxes(string language, string program)
    {
        var tests = new List<TestCase>
        {
            JudgeHarness.Test("accepted", "sum 1 2\n", "3\n"),
            JudgeHarness.Test("wrong", "sum 2 2\n", "5\n"),
            JudgeHarness.Test("spin", "spin\n"),
            JudgeHarness.Test("alloc", "alloc\n"),
            JudgeHarness.Test("div", "div\n"),
            JudgeHarness.Test("exit3", "exit3\n"),
            JudgeHarness.Test("flood", "flood\n"),
            JudgeHarness.Test("accepted-again", "sum 20 22\n", "42\n"),
        };
        var source = JudgeHarness.Program(program);

        var cold = JudgeHarness.Run(language, source, tests);
        var warm = JudgeHarness.Run(language, source, tests, options: Warm);

        var why = "cold: " + JudgeHarness.Describe(cold) + "\nwarm: " + JudgeHarness.Describe(warm);
        Assert.True(cold.Verdict == warm.Verdict, why);
        Assert.Equal(cold.Score, warm.Score);
        Assert.Equal(cold.Compile.Status, warm.Compile.Status);
        Assert.Equal(cold.Message, warm.Message);
        Assert.Equal(tests.Count, warm.Tests.Count);
        foreach (var (c, w) in cold.Tests.Zip(warm.Tests))
        {
            Assert.True(c.Verdict == w.Verdict, $"{c.Name}\n{why}");
            Assert.Equal((c.Name, c.ExitCode, c.Signal, c.Message, c.Score, c.OutputExcerpt),
                (w.Name, w.ExitCode, w.Signal, w.Message, w.Score, w.OutputExcerpt));
        }
        Assert.Equal(Verdict.TimeLimitExceeded, warm.Tests.Single(t => t.Name == "spin").Verdict);
        Assert.Equal(Verdict.MemoryLimitExceeded, warm.Tests.Single(t => t.Name == "alloc").Verdict);
    }

    [Fact]
    public void A_custom_checker_judged_from_warm_boxes_gives_the_same_verdicts_and_points_as_from_cold_boxes()
    {
        // Two boxes per test (the program's, then the checker's), so two are kept ahead, as `runner judge` does.
        var tests = new List<TestCase>
        {
            JudgeHarness.Test("ac", "sum 2 3\n", "sum"),
            JudgeHarness.Test("wa", "sum 2 3\n", "sum"),
            JudgeHarness.Test("pe", "sum 1 1\n", "pe"),
            JudgeHarness.Test("points", "sum 1 1\n", "points"),
            JudgeHarness.Test("broken", "sum 1 1\n", "fail"),
        };
        const string submission = "a, b = map(int, input().split()[1:])\nprint(a + b)\n";
        var checker = Runner.Judge.Checking.CheckerSpec.Custom(JudgeHarness.Program("checker.cpp"));

        var cold = JudgeHarness.Run("python", submission, tests, checker: checker);
        var warm = JudgeHarness.Run("python", submission, tests, checker: checker, options: Warm with { WarmBoxes = 2 });

        var why = "cold: " + JudgeHarness.Describe(cold) + "\nwarm: " + JudgeHarness.Describe(warm);
        Assert.True(cold.Verdict == warm.Verdict, why);
        Assert.Equal(cold.Score, warm.Score);
        Assert.Equal(cold.Tests.Select(t => (t.Name, t.Verdict, t.Message, t.Score)), warm.Tests.Select(t => (t.Name, t.Verdict, t.Message, t.Score)));
        Assert.Equal(Verdict.InternalError, warm.Verdict);
        Assert.Equal(0.25, warm.Tests.Single(t => t.Name == "points").Score);
    }

    [Fact]
    public void The_test_boxes_of_a_judge_with_warm_boxes_come_from_the_warm_slots()
    {
        // Each box maps root to its slot's host uid; warm slots are numbered after the ordinary ones.
        var tests = Enumerable.Range(1, 6).Select(i => JudgeHarness.Test($"{i}", "", null)).ToList();
        var report = JudgeHarness.Run("python", "print(open('/proc/self/uid_map').read().split()[1])\n", tests, options: Warm);

        Assert.True(report.Verdict == Verdict.Accepted, JudgeHarness.Describe(report));
        var firstWarmUid = JudgeHarness.Sandbox.FirstBoxUid + JudgeHarness.Sandbox.SlotCount;
        var warm = report.Tests.Count(t => long.Parse(t.OutputExcerpt, CultureInfo.InvariantCulture) >= firstWarmUid);
        // A step launches cold only when the pool has no box after a wait; on a loaded machine that
        // may happen once or twice, never for most tests.
        Assert.True(warm > tests.Count / 2, JudgeHarness.Describe(report));
    }

    [Fact]
    public void A_judge_whose_pool_gets_no_warm_slot_judges_every_test_in_a_cold_box()
    {
        // A state directory, uid range and cgroup parent of this test's own, whose every warm slot
        // this test holds (as 64 other pools on the host would): the pool never has a box.
        var state = Directory.CreateTempSubdirectory("runner-judge-noslot-").FullName;
        var sandbox = JudgeHarness.Sandbox with { StateDirectory = state, FirstBoxUid = 300_000, CgroupParent = "runner-judge-tests-noslot" };
        Directory.CreateDirectory(Path.Combine(state, "slots"));
        // .NET takes an exclusive flock(2) for FileShare.None, as the engine's slots do.
        var held = Enumerable.Range(sandbox.SlotCount, 64)
            .Select(n => new FileStream(Path.Combine(state, "slots", $"{n}.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
            .ToList();
        try
        {
            var tests = Enumerable.Range(1, 4).Select(i => JudgeHarness.Test($"{i}", "", null)).ToList();
            var report = JudgeHarness.Run("python", "print(open('/proc/self/uid_map').read().split()[1])\n", tests,
                options: Warm with { Sandbox = sandbox });

            Assert.True(report.Verdict == Verdict.Accepted, JudgeHarness.Describe(report));
            Assert.All(report.Tests, t => Assert.InRange(long.Parse(t.OutputExcerpt, CultureInfo.InvariantCulture),
                sandbox.FirstBoxUid, sandbox.FirstBoxUid + sandbox.SlotCount - 1));
        }
        finally
        {
            foreach (var lockFile in held) lockFile.Dispose();
            Directory.Delete(state, recursive: true);
        }
    }

    [Fact]
    public void A_box_whose_test_was_killed_or_failed_is_never_given_to_the_next_test()
    {
        // Every test prints what it finds left over from an earlier program, then "spin" leaves a
        // file and a sleeping child behind and runs into its CPU limit, and "fail" does the same and
        // exits 3. A box handed on would show the file or the process to the next test.
        var source = """
            import os, socket, sys, time
            if socket.gethostname() != "sandbox" or os.getpid() > 10:
                sys.exit(99)  # not inside a box: touch nothing
            cmd = sys.stdin.read().strip()
            others = sorted(int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, os.getpid()))
            print("tmp", sorted(os.listdir("/tmp")), "others", others, flush=True)
            if cmd in ("spin", "fail"):
                open("/tmp/left-by-" + cmd, "w").write("x")
                if os.fork() == 0:
                    time.sleep(60)
                    os._exit(0)
                if cmd == "spin":
                    while True:
                        pass
                sys.exit(3)
            """;
        var clean = "tmp [] others []\n";
        var tests = new List<TestCase>
        {
            JudgeHarness.Test("spin", "spin\n", clean),
            JudgeHarness.Test("after-spin", "look\n", clean),
            JudgeHarness.Test("fail", "fail\n", clean),
            JudgeHarness.Test("after-fail", "look\n", clean),
        };

        var report = JudgeHarness.Run("python", source, tests, options: Warm);

        var why = JudgeHarness.Describe(report);
        var verdicts = report.Tests.Select(t => t.Verdict).ToList();
        Assert.True(verdicts.SequenceEqual([Verdict.TimeLimitExceeded, Verdict.Accepted, Verdict.RuntimeError, Verdict.Accepted]), why);
        Assert.Equal(3, report.Tests[2].ExitCode);
    }

    [Fact]
    public void Judging_with_warm_boxes_leaves_no_launcher_or_box_behind()
    {
        var before = LauncherChildren();
        var report = JudgeHarness.Run("python", "print(input())\n",
            [JudgeHarness.Test("1", "a\n", "a\n"), JudgeHarness.Test("2", "b\n", "b\n")], options: Warm);

        Assert.True(report.Verdict == Verdict.Accepted, JudgeHarness.Describe(report));
        // The pool's own runner-launcher has exited, and with it every box it cloned (their
        // parent-death signal); the process-wide launcher of cold launches, if any, is still the same.
        Assert.Equal(before, LauncherChildren());
    }

    /// <summary>Pids of this process's runner-launcher children.</summary>
    private static List<int> LauncherChildren()
    {
        var self = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                continue; // exited meanwhile
            }
            // "pid (comm) state ppid ...": comm may hold spaces, so split after its closing parenthesis.
            var open = stat.IndexOf('(');
            var close = stat.LastIndexOf(')');
            var comm = stat[(open + 1)..close];
            var ppid = stat[(close + 2)..].Split(' ')[1];
            if (comm.StartsWith("runner-launch", StringComparison.Ordinal) && ppid == self) found.Add(pid);
        }
        found.Sort();
        return found;
    }
}
