using System.Globalization;
using System.Text;

namespace Runner.Api.Tests.Metrics;

/// <summary>One sample line: its name, labels and value.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public bool Has(params (string Key, string Value)[] labels) =>
        labels.All(l => Labels.TryGetValue(l.Key, out var v) && v == l.Value);
}

/// <summary>A metric family: its TYPE ("untyped" when none was given), HELP and samples.</summary>
public sealed record PrometheusFamily(string Name, string Type, string? Help, IReadOnlyList<PrometheusSample> Samples);

/// <summary>
/// A strict parser of the Prometheus text exposition format 0.0.4. No NuGet package served here
/// parses it, so this one follows the format's grammar and refuses anything outside it instead of
/// searching for substrings: metric and label name syntax, quoted label values with their three
/// escapes, float values (NaN, +Inf, -Inf), optional timestamps, TYPE before its samples and at
/// most once, a family's samples together, no series twice, and histograms whose buckets are
/// cumulative and end in a +Inf bucket equal to _count.
/// </summary>
public static class PrometheusText
{
    private static readonly HashSet<string> Types = ["counter", "gauge", "histogram", "summary", "untyped"];

    public static IReadOnlyDictionary<string, PrometheusFamily> Parse(string text)
    {
        var families = new Dictionary<string, (string Type, string? Help, List<PrometheusSample> Samples)>(StringComparer.Ordinal);
        var closed = new HashSet<string>(StringComparer.Ordinal);
        var series = new HashSet<string>(StringComparer.Ordinal);
        string? current = null;
        var lines = text.Split('\n');
        if (lines[^1].Length != 0) throw new FormatException("the exposition must end with a newline");
        for (var n = 0; n < lines.Length - 1; n++)
        {
            var line = lines[n];
            var where = $"line {n + 1} '{line}'";
            if (line.Length == 0) continue;
            if (line.StartsWith('#'))
            {
                var parts = line.Split(' ', 4);
                if (parts.Length < 3 || parts[0] != "#" || parts[1] is not ("TYPE" or "HELP")) continue; // a plain comment
                var name = parts[2];
                RequireMetricName(name, where);
                if (parts[1] == "TYPE")
                {
                    if (parts.Length != 4 || !Types.Contains(parts[3])) throw new FormatException($"{where}: TYPE needs one of {string.Join(", ", Types)}");
                    if (families.TryGetValue(name, out var f) && (f.Samples.Count > 0 || f.Type != "untyped"))
                        throw new FormatException($"{where}: TYPE for {name} after its samples or a second time");
                    families[name] = (parts[3], f.Help, f.Samples ?? []);
                }
                else
                {
                    var help = parts.Length == 4 ? Unescape(parts[3], quoted: false, where) : "";
                    if (families.TryGetValue(name, out var f) && f.Help is not null) throw new FormatException($"{where}: second HELP for {name}");
                    families[name] = (f.Type ?? "untyped", help, f.Samples ?? []);
                }
                SwitchTo(name);
                continue;
            }

            var sample = ParseSample(line, where);
            var family = FamilyOf(sample.Name, families);
            if (!families.ContainsKey(family)) families[family] = ("untyped", null, []);
            SwitchTo(family);
            var key = sample.Name + "{" + string.Join(",", sample.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")) + "}";
            if (!series.Add(key)) throw new FormatException($"{where}: series {key} appears twice");
            families[family].Samples.Add(sample);
        }

        var result = families.ToDictionary(f => f.Key, f => new PrometheusFamily(f.Key, f.Value.Type, f.Value.Help, f.Value.Samples), StringComparer.Ordinal);
        foreach (var f in result.Values.Where(f => f.Type == "histogram")) CheckHistogram(f);
        return result;

        void SwitchTo(string family)
        {
            if (family == current) return;
            if (closed.Contains(family)) throw new FormatException($"the samples of {family} are not together");
            if (current is not null) closed.Add(current);
            current = family;
        }
    }

    private static string FamilyOf(string sample, Dictionary<string, (string Type, string? Help, List<PrometheusSample> Samples)> families)
    {
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (!sample.EndsWith(suffix, StringComparison.Ordinal)) continue;
            var stem = sample[..^suffix.Length];
            if (families.TryGetValue(stem, out var f) && (f.Type == "histogram" || f.Type == "summary" && suffix != "_bucket")) return stem;
        }
        return sample;
    }

    private static PrometheusSample ParseSample(string line, string where)
    {
        var i = 0;
        while (i < line.Length && IsNameChar(line[i], first: i == 0, colon: true)) i++;
        var name = line[..i];
        RequireMetricName(name, where);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (true)
            {
                if (i < line.Length && line[i] == '}') { i++; break; }
                var start = i;
                while (i < line.Length && IsNameChar(line[i], first: i == start, colon: false)) i++;
                var label = line[start..i];
                if (label.Length == 0) throw new FormatException($"{where}: expected a label name at column {start + 1}");
                if (i >= line.Length || line[i] != '=') throw new FormatException($"{where}: expected '=' after label {label}");
                i++;
                if (i >= line.Length || line[i] != '"') throw new FormatException($"{where}: expected a quoted value for label {label}");
                i++;
                var value = new StringBuilder();
                while (true)
                {
                    if (i >= line.Length) throw new FormatException($"{where}: unterminated value of label {label}");
                    var c = line[i++];
                    if (c == '"') break;
                    if (c == '\\')
                    {
                        if (i >= line.Length) throw new FormatException($"{where}: dangling escape");
                        value.Append(line[i++] switch
                        {
                            '\\' => '\\',
                            '"' => '"',
                            'n' => '\n',
                            var e => throw new FormatException($"{where}: unknown escape \\{e} in label {label}"),
                        });
                    }
                    else value.Append(c);
                }
                if (!labels.TryAdd(label, value.ToString())) throw new FormatException($"{where}: label {label} twice");
                if (i < line.Length && line[i] == ',') { i++; continue; }
                if (i < line.Length && line[i] == '}') { i++; break; }
                throw new FormatException($"{where}: expected ',' or '}}' after label {label}");
            }
        }
        if (i >= line.Length || line[i] != ' ') throw new FormatException($"{where}: expected a space before the value");
        var rest = line[(i + 1)..].Split(' ');
        if (rest.Length is < 1 or > 2) throw new FormatException($"{where}: expected a value and an optional timestamp");
        var number = ParseValue(rest[0], where);
        if (rest.Length == 2 && !long.TryParse(rest[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
            throw new FormatException($"{where}: timestamp '{rest[1]}' is not an integer");
        return new PrometheusSample(name, labels, number);
    }

    private static double ParseValue(string text, string where) => text switch
    {
        "NaN" => double.NaN,
        "+Inf" or "Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        _ when text.Length > 0 && !text.Contains(' ') && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) => v,
        _ => throw new FormatException($"{where}: '{text}' is not a value"),
    };

    private static void CheckHistogram(PrometheusFamily f)
    {
        string Series(PrometheusSample s) => string.Join(",", s.Labels.Where(l => l.Key != "le").OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));
        foreach (var group in f.Samples.GroupBy(Series))
        {
            var buckets = group.Where(s => s.Name == f.Name + "_bucket")
                .Select(s => (Le: s.Labels.TryGetValue("le", out var le) ? ParseValue(le, $"{f.Name} le") : throw new FormatException($"{f.Name}_bucket without le"), s.Value))
                .OrderBy(b => b.Le).ToList();
            var count = group.SingleOrDefault(s => s.Name == f.Name + "_count") ?? throw new FormatException($"{f.Name}{{{group.Key}}} has no _count");
            _ = group.SingleOrDefault(s => s.Name == f.Name + "_sum") ?? throw new FormatException($"{f.Name}{{{group.Key}}} has no _sum");
            if (buckets.Count == 0 || !double.IsPositiveInfinity(buckets[^1].Le)) throw new FormatException($"{f.Name}{{{group.Key}}} has no +Inf bucket");
            for (var k = 1; k < buckets.Count; k++)
                if (buckets[k].Value < buckets[k - 1].Value) throw new FormatException($"{f.Name}{{{group.Key}}} buckets are not cumulative at le={buckets[k].Le}");
            if (buckets[^1].Value != count.Value) throw new FormatException($"{f.Name}{{{group.Key}}} +Inf bucket {buckets[^1].Value} differs from _count {count.Value}");
        }
    }

    private static string Unescape(string text, bool quoted, string where)
    {
        var b = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\') { b.Append(text[i]); continue; }
            if (++i >= text.Length) throw new FormatException($"{where}: dangling escape");
            b.Append(text[i] switch
            {
                '\\' => '\\',
                'n' => '\n',
                '"' when quoted => '"',
                var e => throw new FormatException($"{where}: unknown escape \\{e}"),
            });
        }
        return b.ToString();
    }

    private static void RequireMetricName(string name, string where)
    {
        if (name.Length == 0 || !name.Select((c, i) => IsNameChar(c, i == 0, colon: true)).All(ok => ok))
            throw new FormatException($"{where}: '{name}' is not a metric name");
    }

    private static bool IsNameChar(char c, bool first, bool colon) =>
        c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or '_' || colon && c == ':' || !first && c is >= '0' and <= '9';
}
