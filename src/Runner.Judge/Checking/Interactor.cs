using System.Globalization;
using Runner.Judge.Languages;
using Runner.Judge.Pipeline;
using Runner.Sandbox;
using Runner.Sandbox.HostFiles;

namespace Runner.Judge.Checking;

/// <summary>
/// A compiled interactor (README.md#interactive-problems), run per test in a box of its own as
/// <c>interactor input output answer</c> (testlib's convention), connected to the program's box by
/// pipes: the program's stdout is the interactor's stdin and the other way round. Its exit code
/// decides the verdict as a checker's does (<see cref="TestlibExit"/>); <see cref="Decide"/> says
/// when the program's own run decides instead.
/// </summary>
internal sealed class Interactor(LanguageDefinition language, IReadOnlyList<BoxFile> artifacts, JudgeOptions options)
{
    public (SandboxResult Program, CheckOutcome Outcome) Run(BoxRun boxes, LanguageDefinition programLanguage,
        IReadOnlyList<BoxFile> programArtifacts, IReadOnlyList<string> programArgv, SandboxLimits programLimits,
        long memoryLimit, byte[] input, byte[]? answer)
    {
        using var programDir = boxes.NewDirectory("test");
        programDir.Restore(programArtifacts);
        using var dir = boxes.NewDirectory("interactor");
        dir.Restore(artifacts);
        dir.WriteFile("input", input);
        dir.WriteFile("answer", answer ?? []);
        // It must outlive the program: a program stuck at its wall limit is then killed first, and
        // the interactor reads EOF and says so, instead of being killed itself for the deadlock.
        var limits = options.InteractorLimits with { WallTimeSeconds = programLimits.EffectiveWallTimeSeconds + 1 };
        if (language.RunLimits is { } adjust) limits = adjust.Apply(limits);
        var argv = language.Expand(language.Run, options.InteractorLimits.MemoryBytes).Concat(["input", "output", "answer"]).ToArray();
        var run = boxes.RunConnected(
            boxes.Spec(programDir, programLanguage, programArgv, programLimits),
            boxes.Spec(dir, language, argv, limits));
        return (run.First, Decide(run, programLimits, memoryLimit, programLanguage));
    }

    /// <summary>
    /// The rules, in order: a sandbox fault of either box, then any failure of the interactor
    /// itself (a limit, a crash, exit 3 or an unknown code) is internal_error, never the program's
    /// fault. An interactor that ended first with wrong_answer decides (what the program did after
    /// losing its partner is a consequence), and so does one that ended first with any verdict if
    /// the program then died of SIGPIPE writing to it. Otherwise a program that failed
    /// (a limit, a crash, a non-zero exit) gets that verdict; at its wall limit with the interactor
    /// still running, the message says deadlock. Otherwise the interactor's verdict stands.
    /// </summary>
    internal static CheckOutcome Decide(ConnectedResult run, SandboxLimits programLimits, long memoryLimit, LanguageDefinition language)
    {
        var (program, interactor) = (run.First, run.Second);
        if (program.Status == SandboxStatus.InternalError)
            return Failure("sandbox: " + program.Message);
        if (interactor.Status == SandboxStatus.InternalError)
            return Failure("interactor: sandbox: " + interactor.Message);
        var said = Verdict(interactor);
        if (said.Verdict == Judge.Verdict.InternalError) return said;

        var interactorFirst = run.SecondEndedAt < run.FirstEndedAt;
        if (interactorFirst && (said.Verdict == Judge.Verdict.WrongAnswer || program is { Status: SandboxStatus.Signaled, Signal: SigPipe }))
            return said;
        if (RunVerdict.Of(program, programLimits, memoryLimit, language) is { } failure)
        {
            if (program.Status == SandboxStatus.WallTimeLimit && !interactorFirst)
                return new CheckOutcome(Judge.Verdict.TimeLimitExceeded, string.Format(CultureInfo.InvariantCulture,
                    "deadlock: wall-clock limit of {0} s exceeded after {1:0.000} s of CPU time with the interactor still running "
                    + "(each waiting for the other: did the program flush its output? or it slept)",
                    programLimits.EffectiveWallTimeSeconds, program.CpuTime), 0);
            return new CheckOutcome(failure.Verdict, failure.Message, 0);
        }
        return said;
    }

    private static CheckOutcome Verdict(SandboxResult r)
    {
        // Writing to a program that has exited (or closed its stdin) is the program's doing.
        if (r.Status == SandboxStatus.Signaled && r.Signal == SigPipe)
            return CheckOutcome.Wrong("the program stopped reading while the interactor was still writing to it (the interactor got SIGPIPE)");
        if (r.Status is not (SandboxStatus.Ok or SandboxStatus.RuntimeError))
            return Failure($"interactor failure: it ended with {r.Status}: {r.Message}");
        // Its stdout was the program's stdin, so testlib's points can only be on stderr.
        return TestlibExit.Of(r.ExitCode, "", r.Stderr, "interactor");
    }

    private const int SigPipe = 13;

    private static CheckOutcome Failure(string message) => new(Judge.Verdict.InternalError, message, 0);
}
