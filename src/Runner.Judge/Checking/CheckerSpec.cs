using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Runner.Judge.Checking;

/// <summary>The checker kinds; their names are lowercase on the wire (the API's <c>checker.type</c>, the CLI's <c>--checker</c>).</summary>
[JsonConverter(typeof(CheckerKindJsonConverter))]
public enum CheckerKind { Exact, Lines, Tokens, Float, Custom }

/// <summary>exact, lines, tokens, float, custom: the lowercase names, one rule for JSON and for <see cref="CheckerSpec.TryParseKind"/>.</summary>
public sealed class CheckerKindJsonConverter() : JsonStringEnumConverter<CheckerKind>(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false)
{
    public static string Name(CheckerKind kind) => JsonNamingPolicy.SnakeCaseLower.ConvertName(kind.ToString());
}

/// <summary>How a test's output is compared with its answer (README.md#checkers).</summary>
public sealed record CheckerSpec
{
    public const double DefaultEpsilon = 1e-6;

    public CheckerKind Kind { get; init; } = CheckerKind.Lines;

    /// <summary>Float: numbers within this absolute difference are equal.</summary>
    public double AbsoluteEpsilon { get; init; } = DefaultEpsilon;

    /// <summary>Float: numbers within this difference relative to the answer are equal.</summary>
    public double RelativeEpsilon { get; init; } = DefaultEpsilon;

    /// <summary>Custom: the checker's source, compiled and run in the sandbox (testlib convention).</summary>
    public string? CustomSource { get; init; }

    /// <summary>Custom: the language id the checker is written in.</summary>
    public string CustomLanguage { get; init; } = "cpp";

    public static CheckerSpec Exact { get; } = new() { Kind = CheckerKind.Exact };
    public static CheckerSpec Lines { get; } = new() { Kind = CheckerKind.Lines };
    public static CheckerSpec Tokens { get; } = new() { Kind = CheckerKind.Tokens };

    public static CheckerSpec Float(double epsilon = DefaultEpsilon) =>
        new() { Kind = CheckerKind.Float, AbsoluteEpsilon = epsilon, RelativeEpsilon = epsilon };

    public static CheckerSpec Custom(string source, string language = "cpp") =>
        new() { Kind = CheckerKind.Custom, CustomSource = source, CustomLanguage = language };

    /// <summary>A kind by its wire name (exact, lines, tokens, float, custom); nothing else parses.</summary>
    public static bool TryParseKind(string? name, out CheckerKind kind)
    {
        foreach (var k in Enum.GetValues<CheckerKind>())
        {
            if (CheckerKindJsonConverter.Name(k) != name) continue;
            kind = k;
            return true;
        }
        kind = default;
        return false;
    }

    /// <summary>Parses exact, lines, tokens, float or float:EPS; null for anything else (a checker file).</summary>
    public static CheckerSpec? TryParseBuiltIn(string text)
    {
        switch (text)
        {
            case "exact": return Exact;
            case "lines": return Lines;
            case "tokens": return Tokens;
            case "float": return Float();
        }
        if (text.StartsWith("float:", StringComparison.Ordinal)
            && double.TryParse(text.AsSpan(6), NumberStyles.Float, CultureInfo.InvariantCulture, out var eps)
            && eps >= 0 && double.IsFinite(eps))
            return Float(eps);
        return null;
    }

    internal void Validate()
    {
        if (!(AbsoluteEpsilon >= 0) || !(RelativeEpsilon >= 0))
            throw new JudgeRequestException("checker", "epsilons must be non-negative numbers");
        if (Kind == CheckerKind.Custom && string.IsNullOrEmpty(CustomSource))
            throw new JudgeRequestException("checker", "a custom checker needs its source");
    }
}
