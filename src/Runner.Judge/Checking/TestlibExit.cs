using System.Globalization;

namespace Runner.Judge.Checking;

/// <summary>
/// testlib's exit codes, shared by checkers and interactors: 0 accepted, 1 wrong answer,
/// 2 presentation error (reported as wrong_answer), 3 failure of the checker or interactor itself
/// (internal_error), 7 partial points (the first number on stdout, or testlib's stderr, as a
/// fraction in [0, 1]). Any other code is that program's own failure.
/// </summary>
internal static class TestlibExit
{
    /// <param name="role">"checker" or "interactor", for the failure messages.</param>
    public static CheckOutcome Of(int? exitCode, string stdout, string stderr, string role)
    {
        var message = Message(stderr);
        return exitCode switch
        {
            0 => CheckOutcome.Accepted(message),
            1 => CheckOutcome.Wrong(message),
            2 => CheckOutcome.Wrong(message.Length > 0 ? "presentation error: " + message : "presentation error"),
            3 => new CheckOutcome(Verdict.InternalError, $"{role} failure: " + message, 0),
            7 => Points(stdout, stderr, message, role),
            _ => new CheckOutcome(Verdict.InternalError, $"{role} failure: unexpected exit code {exitCode}: {message}", 0),
        };
    }

    private static CheckOutcome Points(string stdout, string stderr, string message, string role)
    {
        var token = FirstNumber(stdout) ?? FirstNumber(stderr);
        if (token is not { } points || !(points >= 0 && points <= 1))
            return new CheckOutcome(Verdict.InternalError,
                $"{role} failure: exit 7 needs points in [0, 1] first on stdout, got '{Message(stdout)}'", 0);
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

    /// <summary>What testlib writes to stderr, trimmed to one message.</summary>
    public static string Message(string text)
    {
        var trimmed = text.Trim();
        return trimmed.Length > 300 ? trimmed[..300] + "..." : trimmed;
    }
}
