using System.Collections.Concurrent;
using Runner.Sandbox;
using Runner.Sandbox.Launch;

namespace Runner.Judge.Languages;

/// <summary>
/// The languages a judge offers. Built-in definitions come from <c>languages.json</c> next to the
/// assembly (editable by an operator) or, when that file is absent (a single-file NativeAOT
/// runner), from the copy embedded in the assembly. An override file, given explicitly or with
/// <c>RUNNER_LANGUAGES</c>, is merged over them by id: a listed id replaces the built-in one,
/// a new id adds a language.
/// </summary>
public sealed class LanguageCatalog
{
    public const string OverrideVariable = "RUNNER_LANGUAGES";
    private const string FileName = "languages.json";
    private const string ResourceName = "Runner.Judge.languages.json";

    private readonly ConcurrentDictionary<(string Rootfs, string Id), LanguageInfo> _detected = new();

    public LanguageCatalog(IReadOnlyList<LanguageDefinition> languages)
    {
        var duplicate = languages.GroupBy(l => l.Id).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new LanguageFileException($"language '{duplicate.Key}' is listed twice");
        foreach (var language in languages) language.Validate("catalog");
        Languages = languages;
    }

    public IReadOnlyList<LanguageDefinition> Languages { get; }

    /// <summary>
    /// Loads the built-in languages and merges <paramref name="overridePath"/> (or, when null, the
    /// file named by <c>RUNNER_LANGUAGES</c>) over them.
    /// </summary>
    /// <exception cref="LanguageFileException">A file is missing or malformed.</exception>
    public static LanguageCatalog Load(string? overridePath = null)
    {
        var languages = BuiltIn().ToList();
        overridePath ??= Environment.GetEnvironmentVariable(OverrideVariable) is { Length: > 0 } env ? env : null;
        if (overridePath is not null)
        {
            IReadOnlyList<LanguageDefinition> extra;
            try
            {
                using var stream = File.OpenRead(overridePath);
                extra = LanguageFile.Parse(stream, overridePath);
            }
            catch (IOException e)
            {
                throw new LanguageFileException($"{overridePath}: {e.Message}");
            }
            catch (UnauthorizedAccessException e)
            {
                throw new LanguageFileException($"{overridePath}: {e.Message}");
            }
            foreach (var language in extra)
            {
                var index = languages.FindIndex(l => l.Id == language.Id);
                if (index >= 0) languages[index] = language;
                else languages.Add(language);
            }
        }
        return new LanguageCatalog(languages);
    }

    public static IReadOnlyList<LanguageDefinition> BuiltIn()
    {
        var besideAssembly = Path.Combine(AppContext.BaseDirectory, FileName);
        if (File.Exists(besideAssembly))
        {
            using var file = File.OpenRead(besideAssembly);
            return LanguageFile.Parse(file, besideAssembly);
        }
        using var embedded = typeof(LanguageCatalog).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new LanguageFileException($"the embedded {FileName} is missing from this build");
        return LanguageFile.Parse(embedded, "built-in " + FileName);
    }

    public LanguageDefinition? Find(string id) => Languages.FirstOrDefault(l => l.Id == id);

    /// <summary>
    /// Whether each language's toolchain runs in the given rootfs, and its version. The version
    /// command runs in a box (so it sees exactly what submissions will see); results are cached
    /// per rootfs for the life of this catalog.
    /// </summary>
    public IReadOnlyList<LanguageInfo> Detect(SandboxOptions? sandbox = null, string? rootfsPath = null,
        CancellationToken cancellationToken = default) =>
        Languages.Select(l => Detect(l, sandbox, rootfsPath, cancellationToken)).ToList();

    public LanguageInfo Detect(LanguageDefinition language, SandboxOptions? sandbox = null, string? rootfsPath = null,
        CancellationToken cancellationToken = default)
    {
        var key = (rootfsPath ?? "", language.Id);
        if (_detected.TryGetValue(key, out var cached)) return cached;
        var info = Probe(language, sandbox, rootfsPath, cancellationToken);
        // A fault of the host (no cgroup, interrupted) is not a fact about the toolchain: retry next time.
        if (info.Available || info.Problem?.StartsWith("runner:", StringComparison.Ordinal) != true)
            _detected[key] = info;
        return info;
    }

    private static LanguageInfo Probe(LanguageDefinition language, SandboxOptions? sandbox, string? rootfsPath,
        CancellationToken cancellationToken)
    {
        var limits = new SandboxLimits { CpuTimeSeconds = 10, WallTimeSeconds = 30, MemoryBytes = 512L << 20, Pids = 64 };
        if (language.CompileLimits is { } adjust) limits = adjust.Apply(limits);
        var result = Box.Run(new SandboxSpec
        {
            Argv = language.Expand(language.Version, limits.MemoryBytes),
            Environment = language.Environment ?? new Dictionary<string, string>(),
            Limits = limits,
            RootfsPath = rootfsPath,
        }, sandbox, cancellationToken);
        var text = (result.Stdout + "\n" + result.Stderr).Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0);
        return result.Status switch
        {
            SandboxStatus.Ok => new LanguageInfo(language.Id, language.Name, true, text ?? "", null),
            SandboxStatus.InternalError when result.FailedStep == LaunchStep.Execve =>
                new LanguageInfo(language.Id, language.Name, false, null, $"'{language.Version[0]}' is not in the rootfs"),
            SandboxStatus.InternalError => new LanguageInfo(language.Id, language.Name, false, null, "runner: " + result.Message),
            _ => new LanguageInfo(language.Id, language.Name, false, null,
                $"'{string.Join(' ', language.Version)}' failed: {text ?? result.Message}"),
        };
    }
}

/// <summary>A language as listed to users: available only if its toolchain ran in the rootfs.</summary>
/// <param name="Version">The first line the version command printed; null when unavailable.</param>
/// <param name="Problem">Why it is unavailable; null when available.</param>
public sealed record LanguageInfo(string Id, string Name, bool Available, string? Version, string? Problem);
