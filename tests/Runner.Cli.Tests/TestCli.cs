using System.Text;
using Runner.Sandbox;

namespace Runner.Cli.Tests;

/// <summary>Runs <see cref="CliMain"/> in-process against buffers and a stand-in engine.</summary>
internal sealed class TestCli
{
    public Dictionary<string, string> Environment { get; } = new();
    public SandboxResult Result { get; set; } = new() { Status = SandboxStatus.Ok, ExitCode = 0, Message = "" };
    public Exception? EngineThrows { get; set; }

    /// <summary>Run the real engine (real boxes) instead of returning <see cref="Result"/>.</summary>
    public bool RealEngine { get; set; }
    public HostCheckReport CheckReport { get; set; } = new(true, []);
    public SandboxSpec? LastSpec { get; private set; }

    /// <summary>A stand-in judge; null runs the real one (real boxes).</summary>
    public Func<Runner.Judge.JudgeRequest, Runner.Judge.JudgeOptions, Runner.Judge.JudgeReport>? Judge { get; set; }
    public SandboxOptions? LastOptions { get; private set; }
    public string CurrentDirectory { get; set; } = "/home/judge";

    /// <summary>Pretend stderr is a terminal (progress is drawn on it).</summary>
    public bool ErrorIsTerminal { get; set; }

    public byte[] StdoutBytes { get; private set; } = [];
    public string Stdout => Encoding.UTF8.GetString(StdoutBytes);
    public string Stderr { get; private set; } = "";
    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public int Run(params string[] args)
    {
        using var stdout = new MemoryStream();
        using var stderr = new StringWriter { NewLine = "\n" };
        var context = new CliContext
        {
            Out = stdout,
            Error = stderr,
            CurrentDirectory = CurrentDirectory,
            GetEnvironmentVariable = name => Environment.GetValueOrDefault(name),
            RunSandbox = (spec, options, _) =>
            {
                LastSpec = spec;
                LastOptions = options;
                if (EngineThrows is not null) throw EngineThrows;
                return RealEngine ? Box.Run(spec, options with { CgroupParent = "runner-cli-tests" }) : Result;
            },
            ErrorIsTerminal = ErrorIsTerminal,
            RunJudge = (request, options, progress, cancellation) => Judge is { } judge
                ? judge(request, options)
                : Runner.Judge.JudgePipeline.Run(request, options with { Sandbox = options.Sandbox with { CgroupParent = "runner-judge-cli-tests" } }, progress, cancellation),
            CheckHost = options =>
            {
                LastOptions = options;
                return CheckReport;
            },
        };
        var code = CliMain.Run(args, context);
        StdoutBytes = stdout.ToArray();
        Stderr = stderr.ToString();
        return code;
    }
}
