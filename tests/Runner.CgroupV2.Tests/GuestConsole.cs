using System.Text.Json;
using System.Text.RegularExpressions;

namespace Runner.CgroupV2.Tests;

/// <summary>
/// The guest's serial console, split into checks by the marker lines /init prints
/// (see guest/init). Everything between <c>@@BEGIN name</c> and <c>@@END name rc=N</c>
/// belongs to that check. A check that began but never ended (the VM timed out or
/// panicked in it) is kept, with a null exit code, so its test can show how far it got.
/// </summary>
internal sealed partial class GuestConsole
{
    private readonly Dictionary<string, GuestCheck> _checks = new(StringComparer.Ordinal);

    public string Raw { get; }
    public double? BootUptimeSeconds { get; private set; }
    public double? DoneUptimeSeconds { get; private set; }
    public IReadOnlyCollection<GuestCheck> Checks => _checks.Values;

    public GuestConsole(string raw)
    {
        Raw = raw.Replace("\r", "");
        GuestCheck? current = null;
        List<string>? lines = null;
        foreach (var rawLine in Raw.TrimEnd('\n').Split('\n'))
        {
            // The firmware's terminal escapes can precede the first marker on its line.
            var at = rawLine.IndexOf("@@", StringComparison.Ordinal);
            var line = at > 0 && MarkerStart().IsMatch(rawLine[at..]) ? rawLine[at..] : rawLine;

            if (line.StartsWith("@@BOOT ", StringComparison.Ordinal))
                BootUptimeSeconds = ParseSeconds(line[7..]);
            else if (line.StartsWith("@@DONE ", StringComparison.Ordinal))
                DoneUptimeSeconds = ParseSeconds(line[7..]);
            else if (line.StartsWith("@@BEGIN ", StringComparison.Ordinal))
            {
                lines = [];
                current = new GuestCheck(line[8..].Trim(), lines, null);
                _checks[current.Name] = current;
            }
            else if (EndLine().Match(line) is { Success: true } end && current is not null && end.Groups[1].Value == current.Name)
            {
                _checks[current.Name] = current with { ExitCode = int.Parse(end.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) };
                current = null;
                lines = null;
            }
            else
                lines?.Add(line);
        }
    }

    public GuestCheck? Find(string name) => _checks.GetValueOrDefault(name);

    private static double? ParseSeconds(string text)
        => double.TryParse(text.Trim(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : null;

    [GeneratedRegex(@"^@@(BOOT|DONE|BEGIN|END) ")]
    private static partial Regex MarkerStart();

    [GeneratedRegex(@"^@@END (\S+) rc=(-?\d+)\s*$")]
    private static partial Regex EndLine();
}

/// <summary>One check's console lines; <see cref="ExitCode"/> is null when it never finished.</summary>
internal sealed record GuestCheck(string Name, IReadOnlyList<string> Lines, int? ExitCode)
{
    public string Text => string.Join('\n', Lines);

    /// <summary>The value of the first "key=value" or "key value" line for <paramref name="key"/>.</summary>
    public string? Value(string key)
    {
        foreach (var line in Lines)
            if (line.StartsWith(key + "=", StringComparison.Ordinal) || line.StartsWith(key + " ", StringComparison.Ordinal))
                return line[(key.Length + 1)..].Trim();
        return null;
    }

    public long? Number(string key)
        => long.TryParse(Value(key), System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>The lines between "@@name" and the next "@@" section line.</summary>
    public string? Section(string name)
    {
        var start = Lines.ToList().IndexOf("@@" + name);
        if (start < 0) return null;
        var body = Lines.Skip(start + 1).TakeWhile(l => !l.StartsWith("@@", StringComparison.Ordinal));
        return string.Join('\n', body);
    }

    /// <summary>For checks made with lib.sh's run_runner: runner's exit code, streams and parsed JSON.</summary>
    public RunnerInvocation Runner()
    {
        var rc = Value("@@RC") is { } v && int.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : (int?)null;
        var stdout = Section("STDOUT") ?? "";
        JsonElement? json = null;
        string? jsonError = null;
        var text = stdout.Trim();
        if (text.Length == 0)
            jsonError = "runner printed nothing on stdout";
        else
            try
            {
                using var doc = JsonDocument.Parse(text);
                json = doc.RootElement.Clone();
            }
            catch (JsonException e)
            {
                jsonError = "runner's stdout is not one JSON document: " + e.Message;
            }
        return new RunnerInvocation(this, rc, stdout, Section("STDERR") ?? "", json, jsonError);
    }
}

/// <summary>One `runner run --json` inside the guest, as lib.sh reported it.</summary>
internal sealed record RunnerInvocation(GuestCheck Check, int? ExitCode, string Stdout, string Stderr, JsonElement? Json, string? JsonError);
