using System.Diagnostics;
using System.Globalization;
using Runner.Judge;

namespace Runner.Cli;

/// <summary>
/// One self-overwriting status line on stderr while <c>runner judge</c> works, for a person at
/// a terminal (ten thousand tests can take minutes). Only used when stderr is a terminal, so
/// scripts and logs never see carriage returns or escape codes. Redrawn at most ten times a
/// second: a terminal that has to draw every one of 10k fast tests slows the judge down.
/// </summary>
internal sealed class TerminalProgress(TextWriter terminal) : IProgress<JudgeProgress>
{
    private const string ClearLine = "\r\u001b[K";
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private readonly Stopwatch _sinceDrawn = new();
    private int _accepted;
    private int _failed;
    private bool _shown;

    public void Report(JudgeProgress p)
    {
        var c = CultureInfo.InvariantCulture;
        switch (p.Stage)
        {
            case JudgeStage.Compiling:
                Draw("runner: compiling", force: true);
                break;
            case JudgeStage.TestStarted:
                Draw(string.Format(c, "runner: test {0}/{1} {2}  ({3} accepted, {4} failed)",
                    p.TestIndex + 1, p.TestCount, p.TestName, _accepted, _failed), force: p.TestIndex == 0);
                break;
            case JudgeStage.TestFinished:
                if (p.Test?.Verdict == Verdict.Accepted) _accepted++;
                else _failed++;
                break;
            case JudgeStage.Finished:
                Clear();
                break;
        }
    }

    /// <summary>Leaves the terminal as it was, so the report starts on a clean line.</summary>
    public void Clear()
    {
        if (!_shown) return;
        terminal.Write(ClearLine);
        terminal.Flush();
        _shown = false;
    }

    private void Draw(string text, bool force)
    {
        if (!force && _sinceDrawn.IsRunning && _sinceDrawn.Elapsed < Interval) return;
        terminal.Write(ClearLine + Printable(text));
        terminal.Flush();
        _shown = true;
        _sinceDrawn.Restart();
    }

    /// <summary>Test names are file names: no control character of theirs reaches the terminal.</summary>
    private static string Printable(string text) =>
        string.Create(text.Length, text, (span, t) =>
        {
            for (var i = 0; i < t.Length; i++) span[i] = char.IsControl(t[i]) ? '?' : t[i];
        });
}
