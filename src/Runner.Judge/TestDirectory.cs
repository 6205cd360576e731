namespace Runner.Judge;

/// <summary>
/// The test-directory convention: NAME.in with NAME.out (or NAME.ans) beside it, in natural order
/// (test2 before test10). An input without an answer is a test without expected output (the
/// program only has to run cleanly), as in the API. Only regular files count; anything else in
/// the directory is ignored.
/// </summary>
public static class TestDirectory
{
    /// <exception cref="JudgeRequestException">No tests, or NAME.out and NAME.ans both present.</exception>
    public static IReadOnlyList<TestCase> Load(string directory)
    {
        if (!Directory.Exists(directory)) throw new JudgeRequestException("tests", $"'{directory}' is not a directory");
        var tests = new List<TestCase>();
        foreach (var input in Directory.EnumerateFiles(directory, "*.in"))
        {
            var name = Path.GetFileNameWithoutExtension(input);
            var answers = new[] { ".out", ".ans" }.Select(e => Path.Combine(directory, name + e)).Where(File.Exists).ToList();
            if (answers.Count > 1) throw new JudgeRequestException("tests", $"'{name}' has both '{name}.out' and '{name}.ans'");
            tests.Add(TestCase.FromFiles(name, input, answers.FirstOrDefault()));
        }
        if (tests.Count == 0) throw new JudgeRequestException("tests", $"no NAME.in files in '{directory}'");
        tests.Sort((a, b) => NaturalOrder.Compare(a.Name, b.Name));
        return tests;
    }
}

/// <summary>Compares runs of digits by value, the rest ordinally: "test2" &lt; "test10".</summary>
public sealed class NaturalOrder : IComparer<string>
{
    public static readonly NaturalOrder Instance = new();

    public static int Compare(string? a, string? b) => Instance.CompareCore(a ?? "", b ?? "");

    int IComparer<string>.Compare(string? x, string? y) => Compare(x, y);

    private int CompareCore(string a, string b)
    {
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            if (char.IsAsciiDigit(a[i]) && char.IsAsciiDigit(b[j]))
            {
                var si = i; var sj = j;
                while (i < a.Length && char.IsAsciiDigit(a[i])) i++;
                while (j < b.Length && char.IsAsciiDigit(b[j])) j++;
                var x = a[si..i].TrimStart('0');
                var y = b[sj..j].TrimStart('0');
                if (x.Length != y.Length) return x.Length.CompareTo(y.Length);
                var c = string.CompareOrdinal(x, y);
                if (c != 0) return c;
                // Equal values: fewer leading zeros first, so the order is total.
                if (i - si != j - sj) return (i - si).CompareTo(j - sj);
            }
            else
            {
                if (a[i] != b[j]) return a[i].CompareTo(b[j]);
                i++; j++;
            }
        }
        return (a.Length - i).CompareTo(b.Length - j);
    }
}
