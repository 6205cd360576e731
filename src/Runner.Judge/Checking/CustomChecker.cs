using System.Globalization;
using Runner.Judge.Languages;
using Runner.Judge.Pipeline;
using Runner.Sandbox;
using Runner.Sandbox.HostFiles;

namespace Runner.Judge.Checking;

/// <summary>
/// A compiled checker, run in a fresh box per test as <c>checker input output answer</c>
/// (testlib's convention) with the three files beside it in /box. Exit 0 accepted, 1 wrong answer,
/// 2 presentation error (reported as wrong_answer), 3 checker failure (internal_error), 7 partial
/// points (the first number on stdout, or testlib's stderr, as a fraction in [0, 1]). Anything
/// else the checker does is its own failure: internal_error, never a verdict against the submission.
/// </summary>
internal sealed class CustomChecker(LanguageDefinition language, IReadOnlyList<BoxFile> artifacts, JudgeOptions options)
{
    public CheckOutcome Check(BoxRun boxes, byte[] input, byte[] output, byte[] answer)
    {
        using var dir = boxes.NewDirectory("checker");
        dir.Restore(artifacts);
        dir.WriteFile("input", input);
        dir.WriteFile("output", output);
        dir.WriteFile("answer", answer);
        var limits = options.CheckerLimits;
        if (language.RunLimits is { } adjust) limits = adjust.Apply(limits);
        var argv = language.Expand(language.Run, options.CheckerLimits.MemoryBytes).Concat(["input", "output", "answer"]).ToArray();
        var r = boxes.Run(dir, language, argv, limits);
        var message = Message(r.Stderr);
        if (r.Status is not (SandboxStatus.Ok or SandboxStatus.RuntimeError))
            return new CheckOutcome(Verdict.InternalError, $"checker failure: it ended with {r.Status}: {r.Message}", 0);
        return r.ExitCode switch
        {
            0 => CheckOutcome.Accepted(message),
            1 => CheckOutcome.Wrong(message),
            2 => CheckOutcome.Wrong(message.Length > 0 ? "presentation error: " + message : "presentation error"),
            3 => new CheckOutcome(Verdict.InternalError, "checker failure: " + message, 0),
            7 => Points(r.Stdout, r.Stderr, message),
            _ => new CheckOutcome(Verdict.InternalError, $"checker failure: unexpected exit code {r.ExitCode}: {message}", 0),
        };
    }

    private static CheckOutcome Points(string stdout, string stderr, string message)
    {
        var token = FirstNumber(stdout) ?? FirstNumber(stderr);
        if (token is not { } points || !(points >= 0 && points <= 1))
            return new CheckOutcome(Verdict.InternalError,
                $"checker failure: exit 7 needs points in [0, 1] first on stdout, got '{Message(stdout)}'", 0);
        var text = points.ToString("0.######", CultureInfo.InvariantCulture);
        return new CheckOutcome(points >= 1 ? Verdict.Accepted : Verdict.WrongAnswer,
            message.Length > 0 ? $"partial: {text} ({message})" : $"partial: {text}", points);
    }

    private static double? FirstNumber(string text)
    {
        foreach (var token in text.Split((char[])[' ', '\t', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries))
            if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)) return value;
        return null;
    }

    private static string Message(string text)
    {
        var trimmed = text.Trim();
        return trimmed.Length > 300 ? trimmed[..300] + "..." : trimmed;
    }
}
