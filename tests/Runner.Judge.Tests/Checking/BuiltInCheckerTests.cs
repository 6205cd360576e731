using System.Text;
using Runner.Judge.Checking;

namespace Runner.Judge.Tests.Checking;

public class BuiltInCheckerTests
{
    private static Verdict Check(CheckerSpec spec, string output, string answer) =>
        BuiltInCheckers.Check(spec, Encoding.UTF8.GetBytes(output), Encoding.UTF8.GetBytes(answer)).Verdict;

    [Theory]
    [InlineData("1 2\n", "1 2\n", Verdict.Accepted)]
    [InlineData("1 2", "1 2\n", Verdict.WrongAnswer)]
    [InlineData("1 2 \n", "1 2\n", Verdict.WrongAnswer)]
    [InlineData("1  2\n", "1 2\n", Verdict.WrongAnswer)]
    public void Exact_compares_every_byte(string output, string answer, Verdict expected) =>
        Assert.Equal(expected, Check(CheckerSpec.Exact, output, answer));

    [Theory]
    [InlineData("1 2\n", "1 2\n", Verdict.Accepted)]
    [InlineData("1 2", "1 2\n", Verdict.Accepted)]
    [InlineData("1 2   \r\n3\t\n\n\n", "1 2\n3\n", Verdict.Accepted)]
    [InlineData("1  2\n", "1 2\n", Verdict.WrongAnswer)]
    [InlineData(" 1 2\n", "1 2\n", Verdict.WrongAnswer)]
    [InlineData("1 2\n\n3\n", "1 2\n3\n", Verdict.WrongAnswer)]
    [InlineData("", "1\n", Verdict.WrongAnswer)]
    [InlineData("1\n2\n", "1\n", Verdict.WrongAnswer)]
    public void Lines_ignores_trailing_whitespace_and_trailing_blank_lines_only(string output, string answer, Verdict expected) =>
        Assert.Equal(expected, Check(CheckerSpec.Lines, output, answer));

    [Theory]
    [InlineData("1   2\n\n3", "1 2 3\n", Verdict.Accepted)]
    [InlineData("\t1\r\n2 3  ", "1 2 3", Verdict.Accepted)]
    [InlineData("1 2", "1 2 3", Verdict.WrongAnswer)]
    [InlineData("1 2 3 4", "1 2 3", Verdict.WrongAnswer)]
    [InlineData("1 2 03", "1 2 3", Verdict.WrongAnswer)]
    public void Tokens_ignores_all_whitespace(string output, string answer, Verdict expected) =>
        Assert.Equal(expected, Check(CheckerSpec.Tokens, output, answer));

    [Theory]
    [InlineData("0.3333334", "0.3333333", 1e-6, Verdict.Accepted)]
    [InlineData("0.334", "0.3333333", 1e-6, Verdict.WrongAnswer)]
    [InlineData("0.334", "0.3333333", 1e-2, Verdict.Accepted)]
    [InlineData("1000000.5", "1000000.0", 1e-6, Verdict.Accepted)] // relative: 5e-7
    [InlineData("1e3 yes", "1000.0000001 yes", 1e-6, Verdict.Accepted)]
    [InlineData("1000 no", "1000 yes", 1e-6, Verdict.WrongAnswer)]
    [InlineData("nan", "1", 1e-6, Verdict.WrongAnswer)]
    [InlineData("1 2", "1 2 3", 1e-6, Verdict.WrongAnswer)]
    public void Float_compares_numbers_within_an_absolute_or_relative_epsilon(string output, string answer, double eps, Verdict expected) =>
        Assert.Equal(expected, Check(CheckerSpec.Float(eps), output, answer));

    [Theory]
    [InlineData("exact", CheckerKind.Exact)]
    [InlineData("lines", CheckerKind.Lines)]
    [InlineData("tokens", CheckerKind.Tokens)]
    [InlineData("float", CheckerKind.Float)]
    [InlineData("float:1e-3", CheckerKind.Float)]
    public void Built_in_checker_names_parse(string text, CheckerKind kind) =>
        Assert.Equal(kind, CheckerSpec.TryParseBuiltIn(text)?.Kind);

    [Fact]
    public void Float_with_an_epsilon_sets_both_epsilons_and_bad_ones_are_not_built_in()
    {
        Assert.Equal(1e-3, CheckerSpec.TryParseBuiltIn("float:0.001")!.AbsoluteEpsilon);
        Assert.Null(CheckerSpec.TryParseBuiltIn("float:-1"));
        Assert.Null(CheckerSpec.TryParseBuiltIn("float:x"));
        Assert.Null(CheckerSpec.TryParseBuiltIn("checker.cpp"));
    }

    [Fact]
    public void A_wrong_line_is_named_with_what_was_expected_and_what_came()
    {
        var outcome = BuiltInCheckers.Check(CheckerSpec.Lines, "1\n5\n"u8.ToArray(), "1\n4\n"u8.ToArray());
        Assert.Equal("line 2 differs: expected '4', got '5'", outcome.Message);
    }
}
