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
        if (r.Status is not (SandboxStatus.Ok or SandboxStatus.RuntimeError))
            return new CheckOutcome(Verdict.InternalError, $"checker failure: it ended with {r.Status}: {r.Message}", 0);
        return TestlibExit.Of(r.ExitCode, r.Stdout, r.Stderr, "checker");
    }
}
