using Runner.Judge.Groups;

namespace Runner.Judge.Tests.Groups;

/// <summary>Groups judged with real boxes: min, sum, a dependency on a failed group and one on a passed group.</summary>
public class GroupJudgingTests
{
    [Fact]
    public void Groups_score_by_min_and_sum_and_a_group_whose_dependency_failed_is_skipped()
    {
        // The program echoes its input; a test fails where its answer says something else.
        TestCase Pass(string name) => JudgeHarness.Test(name, name + "\n", name + "\n");
        TestCase Fail(string name) => JudgeHarness.Test(name, name + "\n", "not " + name + "\n");
        var tests = new[] { Pass("s1"), Pass("a1"), Fail("a2"), Pass("a3"), Pass("b1"), Fail("b2"), Pass("b3"), Pass("b4"), Pass("c1"), Pass("d1") };
        var report = JudgePipeline.Run(new JudgeRequest
        {
            Language = "python",
            Source = "print(input())",
            Tests = tests,
            Limits = JudgeHarness.Limits("python"),
            Groups =
            [
                new TestGroup("samples", 0, GroupScoring.Min, ["s1"]),
                new TestGroup("all-or-nothing", 40, GroupScoring.Min, ["a1", "a2", "a3"]),
                new TestGroup("per-test", 60, GroupScoring.Sum, ["b1", "b2", "b3", "b4"]),
                new TestGroup("needs-all-or-nothing", 20, GroupScoring.Min, ["c1"], ["all-or-nothing"]),
                new TestGroup("needs-samples", 10, GroupScoring.Min, ["d1"], ["samples"]),
            ],
        }, JudgeHarness.Options);
        var why = JudgeHarness.Describe(report);

        var groups = report.Groups!.ToDictionary(g => g.Name);
        Assert.True(groups["samples"] is { Status: GroupStatus.Passed, Score: 0 }, why);
        Assert.True(groups["all-or-nothing"] is { Status: GroupStatus.Failed, Score: 0, FirstFailure: "a2" }, why);
        Assert.True(groups["per-test"] is { Status: GroupStatus.Failed, Score: 45, FirstFailure: "b2" }, why);
        Assert.True(groups["needs-all-or-nothing"] is { Status: GroupStatus.Skipped, Score: 0, FirstFailure: null }, why);
        Assert.Contains("'all-or-nothing'", groups["needs-all-or-nothing"].Message);
        Assert.True(groups["needs-samples"] is { Status: GroupStatus.Passed, Score: 10 }, why);
        Assert.Equal(55, report.Score.Points);

        // The min group stopped at its first failure and the skipped group ran nothing.
        Assert.Equal(["s1", "a1", "a2", "b1", "b2", "b3", "b4", "d1"], report.Tests.Select(t => t.Name));
        Assert.Equal(Verdict.WrongAnswer, report.Verdict);
        Assert.StartsWith("test a2:", report.Message);
    }
}
