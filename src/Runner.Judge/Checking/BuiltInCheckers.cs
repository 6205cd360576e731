using System.Globalization;
using System.Text;

namespace Runner.Judge.Checking;

/// <summary>The outcome of one check. <see cref="Score"/> is in [0, 1].</summary>
internal sealed record CheckOutcome(Verdict Verdict, string Message, double Score)
{
    public static CheckOutcome Accepted(string message = "") => new(Verdict.Accepted, message, 1);
    public static CheckOutcome Wrong(string message) => new(Verdict.WrongAnswer, message, 0);
}

/// <summary>exact, lines, tokens and float: byte-level comparisons that need no sandbox.</summary>
internal static class BuiltInCheckers
{
    private const int Shown = 40;

    public static CheckOutcome Check(CheckerSpec spec, byte[] output, byte[] answer) => spec.Kind switch
    {
        CheckerKind.Exact => Exact(output, answer),
        CheckerKind.Lines => Lines(output, answer),
        CheckerKind.Tokens => Tokens(output, answer, (a, b) => a.SequenceEqual(b), "token"),
        CheckerKind.Float => Tokens(output, answer, (a, b) => FloatEqual(a, b, spec), "number"),
        _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Kind, "not a built-in checker"),
    };

    private static CheckOutcome Exact(byte[] output, byte[] answer)
    {
        var common = Math.Min(output.Length, answer.Length);
        var at = 0;
        while (at < common && output[at] == answer[at]) at++;
        if (at == output.Length && at == answer.Length) return CheckOutcome.Accepted();
        return CheckOutcome.Wrong(at == common
            ? $"output is {(output.Length < answer.Length ? "shorter" : "longer")} than the answer ({output.Length} vs {answer.Length} bytes)"
            : $"first difference at byte {at}");
    }

    /// <summary>Trailing whitespace on each line and trailing blank lines are ignored; so is \r before \n.</summary>
    private static CheckOutcome Lines(byte[] output, byte[] answer)
    {
        var got = SplitLines(output);
        var want = SplitLines(answer);
        for (var i = 0; i < Math.Min(got.Count, want.Count); i++)
            if (!got[i].AsSpan().SequenceEqual(want[i]))
                return CheckOutcome.Wrong($"line {i + 1} differs: expected '{Show(want[i])}', got '{Show(got[i])}'");
        if (got.Count != want.Count)
            return CheckOutcome.Wrong(got.Count < want.Count
                ? $"output has {got.Count} lines, the answer {want.Count}; line {got.Count + 1} expected '{Show(want[got.Count])}'"
                : $"output has {got.Count} lines, the answer {want.Count}; extra line {want.Count + 1}: '{Show(got[want.Count])}'");
        return CheckOutcome.Accepted();
    }

    private static List<byte[]> SplitLines(byte[] text)
    {
        var lines = new List<byte[]>();
        var start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] != (byte)'\n') continue;
            var end = i;
            while (end > start && text[end - 1] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\v' or (byte)'\f') end--;
            lines.Add(text[start..end]);
            start = i + 1;
        }
        while (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        return lines;
    }

    private static CheckOutcome Tokens(byte[] output, byte[] answer, Func<byte[], byte[], bool> equal, string what)
    {
        var got = SplitTokens(output);
        var want = SplitTokens(answer);
        for (var i = 0; i < Math.Min(got.Count, want.Count); i++)
            if (!equal(got[i], want[i]))
                return CheckOutcome.Wrong($"{what} {i + 1} differs: expected '{Show(want[i])}', got '{Show(got[i])}'");
        if (got.Count != want.Count)
            return CheckOutcome.Wrong($"output has {got.Count} {what}s, the answer {want.Count}");
        return CheckOutcome.Accepted();
    }

    private static List<byte[]> SplitTokens(byte[] text)
    {
        var tokens = new List<byte[]>();
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && IsSpace(text[i])) i++;
            var start = i;
            while (i < text.Length && !IsSpace(text[i])) i++;
            if (i > start) tokens.Add(text[start..i]);
        }
        return tokens;
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)'\v' or (byte)'\f';

    /// <summary>Tokens that both parse as numbers compare within either epsilon; any other token must match exactly.</summary>
    private static bool FloatEqual(byte[] got, byte[] want, CheckerSpec spec)
    {
        if (got.AsSpan().SequenceEqual(want)) return true;
        if (!TryNumber(got, out var g) || !TryNumber(want, out var w)) return false;
        if (double.IsNaN(w) || double.IsNaN(g)) return double.IsNaN(w) && double.IsNaN(g);
        if (double.IsInfinity(w) || double.IsInfinity(g)) return g == w;
        var difference = Math.Abs(g - w);
        return difference <= spec.AbsoluteEpsilon || difference <= spec.RelativeEpsilon * Math.Abs(w);
    }

    private static bool TryNumber(byte[] token, out double value) =>
        double.TryParse(Encoding.ASCII.GetString(token), NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    private static string Show(byte[] text)
    {
        var s = Encoding.UTF8.GetString(text.Length > Shown * 4 ? text[..(Shown * 4)] : text);
        if (s.Length > Shown) s = s[..Shown] + "...";
        return new string(s.Select(c => char.IsControl(c) ? '?' : c).ToArray());
    }
}
