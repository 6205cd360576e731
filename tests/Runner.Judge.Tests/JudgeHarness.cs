using Runner.Judge.Checking;
using Runner.Judge.Json;
using Runner.Judge.Languages;
using Runner.Sandbox;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Runner.Judge.Tests;

/// <summary>Runs the real judge under a cgroup parent of the tests' own and the default state directory.</summary>
internal static class JudgeHarness
{
    public static readonly SandboxOptions Sandbox = new() { CgroupParent = "runner-judge-tests" };

    public static readonly string WorkRoot = Path.Combine(Path.GetTempPath(), "runner-judge-tests");

    public static readonly JudgeOptions Options = new() { Sandbox = Sandbox, WorkRoot = WorkRoot };

    public static readonly LanguageCatalog Catalog = LanguageCatalog.Load();

    /// <summary>Small limits: 1 s of CPU (JVM and V8 get 2 s to start up), 64 MiB, 64 KiB of output.</summary>
    public static SandboxLimits Limits(string language) => new()
    {
        CpuTimeSeconds = language is "java" or "javascript" ? 2 : 1,
        WallTimeSeconds = 15,
        MemoryBytes = 64L << 20,
        OutputBytes = 64L << 10,
    };

    public static string Program(string file) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Programs", file));

    public static JudgeReport Run(string language, string source, IReadOnlyList<TestCase> tests,
        SandboxLimits? limits = null, CheckerSpec? checker = null, bool stopOnFirstFailure = false,
        JudgeOptions? options = null) =>
        JudgePipeline.Run(new JudgeRequest
        {
            Language = language,
            Source = source,
            Tests = tests,
            Limits = limits ?? Limits(language),
            Checker = checker ?? CheckerSpec.Lines,
            StopOnFirstFailure = stopOnFirstFailure,
        }, options ?? Options);

    public static TestCase Test(string name, string input, string? answer = "") => TestCase.FromText(name, input, answer);

    public static string Describe(JudgeReport report) =>
        $"{report.Verdict.Name()} [{report.Compile.Status}: {report.Compile.Message} {report.Compile.Output}] {report.Message}\n"
        + string.Join("\n", report.Tests.Select(t =>
            $"  {t.Name}: {t.Verdict.Name()} cpu={t.CpuTime:0.000} wall={t.WallTime:0.000} mem={t.MemoryPeak} exit={t.ExitCode} sig={t.Signal} ({t.Message}) out='{t.OutputExcerpt}'"));
}
