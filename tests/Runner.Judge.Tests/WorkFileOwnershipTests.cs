namespace Runner.Judge.Tests;

/// <summary>The files the judge lays into a box (the source, the compile step's output) are the box's to change.</summary>
public sealed class WorkFileOwnershipTests
{
    [Fact]
    public void A_program_can_write_to_the_files_the_judge_gave_it()
    {
        var source = """
            with open('main.py', 'a') as f:
                f.write('# ' + 'MA' + 'RK\n')
            print(open('main.py').read().count('MA' + 'RK'))
            """;
        var report = JudgeHarness.Run("python", source, [JudgeHarness.Test("t1", "", "1\n")]);
        var test = Assert.Single(report.Tests);
        Assert.True(test.Verdict == Verdict.Accepted, JudgeHarness.Describe(report));
    }
}
