using Runner.Judge.Groups;

namespace Runner.Judge.Tests.Groups;

/// <summary>The group rules as arithmetic and request checks, without a box.</summary>
public class GroupRuleTests
{
    private static TestReport Ran(string name, double score) => new()
    {
        Name = name,
        Verdict = score >= 1 ? Verdict.Accepted : Verdict.WrongAnswer,
        Score = score,
        Message = score >= 1 ? "" : "differs",
    };

    [Fact]
    public void A_min_group_is_all_or_nothing_and_names_its_first_failing_test()
    {
        var group = new TestGroup("g", 30, GroupScoring.Min, ["1", "2", "3"]);
        var all = GroupScore.Of(group, [Ran("1", 1), Ran("2", 1), Ran("3", 1)]);
        Assert.Equal((GroupStatus.Passed, 30.0, (string?)null), (all.Status, all.Score, all.FirstFailure));

        var one = GroupScore.Of(group, [Ran("1", 1), Ran("2", 0), Ran("3", 0)]);
        Assert.Equal((GroupStatus.Failed, 0.0, "2"), (one.Status, one.Score, one.FirstFailure));
        Assert.Equal("test 2: differs", one.Message);
    }

    [Fact]
    public void A_min_group_with_partial_tests_scores_its_lowest_share()
    {
        var group = new TestGroup("g", 10, GroupScoring.Min, ["1", "2"]);
        Assert.Equal(2.5, GroupScore.Of(group, [Ran("1", 0.5), Ran("2", 0.25)]).Score);
    }

    [Fact]
    public void A_sum_group_shares_its_points_among_its_tests_and_a_test_that_did_not_run_earns_nothing()
    {
        var group = new TestGroup("g", 60, GroupScoring.Sum, ["1", "2", "3", "4"]);
        var report = GroupScore.Of(group, [Ran("1", 1), Ran("2", 0), Ran("3", 1)]);
        Assert.Equal((GroupStatus.Failed, 30.0, "2"), (report.Status, report.Score, report.FirstFailure));
    }

    [Theory]
    [InlineData("groups[0].tests", "names test 'x'")]
    [InlineData("groups[1].tests", "already in group 'a'")]
    [InlineData("groups", "test 'c' is in no group")]
    [InlineData("groups[1].depends_on", "must be a group listed before 'b'")]
    [InlineData("groups[1].depends_on", "names group 'nope'")]
    [InlineData("groups[1].name", "listed twice")]
    [InlineData("groups[0].points", "finite number")]
    public void A_malformed_group_list_is_refused_naming_the_field(string field, string message)
    {
        var groups = message switch
        {
            "names test 'x'" => new[] { new TestGroup("a", 1, GroupScoring.Min, ["x"]) },
            "already in group 'a'" => [new("a", 1, GroupScoring.Min, ["a1"]), new("b", 1, GroupScoring.Min, ["a1", "b1", "c"])],
            "test 'c' is in no group" => [new("a", 1, GroupScoring.Min, ["a1"]), new("b", 1, GroupScoring.Min, ["b1"])],
            "must be a group listed before 'b'" => [new("a", 1, GroupScoring.Min, ["a1", "c"]), new("b", 1, GroupScoring.Min, ["b1"], ["b"])],
            "names group 'nope'" => [new("a", 1, GroupScoring.Min, ["a1", "c"]), new("b", 1, GroupScoring.Min, ["b1"], ["nope"])],
            "listed twice" => [new("a", 1, GroupScoring.Min, ["a1", "c"]), new("a", 1, GroupScoring.Min, ["b1"])],
            _ => [new("a", double.NaN, GroupScoring.Min, ["a1", "b1", "c"])],
        };
        var problem = TestGroup.Check(groups, ["a1", "b1", "c"]);
        Assert.NotNull(problem);
        Assert.Equal(field, problem.Value.Field);
        Assert.Contains(message, problem.Value.Message);
    }
}
