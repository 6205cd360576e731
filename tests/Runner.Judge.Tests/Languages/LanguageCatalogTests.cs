using Runner.Judge.Languages;

namespace Runner.Judge.Tests.Languages;

public sealed class LanguageCatalogTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("runner-judge-languages-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_shipped_languages_are_available_here_with_their_detected_versions()
    {
        var catalog = LanguageCatalog.Load();
        var infos = catalog.Detect(JudgeHarness.Sandbox);
        Assert.Equal(["c", "cpp", "python", "java", "javascript", "perl", "bash", "fortran"], infos.Select(i => i.Id));
        foreach (var info in infos)
        {
            Assert.True(info.Available, $"{info.Id}: {info.Problem} (install its toolchain on the host)");
            Assert.False(string.IsNullOrWhiteSpace(info.Version), info.Id);
        }
        Assert.StartsWith("Python 3.", infos.Single(i => i.Id == "python").Version);
        Assert.StartsWith("javac ", infos.Single(i => i.Id == "java").Version);
        Assert.Matches(@"^\d+\.\d+\.\d+$", infos.Single(i => i.Id == "c").Version);
        // Cached: the same answer without another box.
        Assert.Same(infos[0], catalog.Detect(catalog.Languages[0], JudgeHarness.Sandbox));
    }

    [Fact]
    public void A_language_whose_toolchain_is_missing_is_listed_as_unavailable()
    {
        var catalog = new LanguageCatalog([new LanguageDefinition
        {
            Id = "ghost", Name = "Ghost", SourceFile = "main.g", Version = ["ghostc", "--version"], Run = ["ghost", "main.g"],
        }]);
        var info = Assert.Single(catalog.Detect(JudgeHarness.Sandbox));
        Assert.False(info.Available);
        Assert.Null(info.Version);
        Assert.Equal("'ghostc' is not in the rootfs", info.Problem);
    }

    [Fact]
    public void An_override_file_replaces_languages_by_id_and_adds_new_ones()
    {
        var path = Path.Combine(_dir, "languages.json");
        File.WriteAllText(path, """
            {
              // comments are allowed: operators annotate their files
              "languages": [
                { "id": "python", "name": "PyPy-ish", "source_file": "sol.py", "version": ["python3", "-V"],
                  "run": ["python3", "-O", "sol.py"] },
                { "id": "awk", "name": "AWK", "source_file": "main.awk", "version": ["awk", "--version"],
                  "run": ["awk", "-f", "main.awk"], "run_limits": { "min_pids": 8 } }
              ]
            }
            """);
        var catalog = LanguageCatalog.Load(path);
        Assert.Equal("PyPy-ish", catalog.Find("python")!.Name);
        Assert.Null(catalog.Find("python")!.Compile);
        Assert.Equal(8, catalog.Find("awk")!.RunLimits!.MinPids);
        Assert.NotNull(catalog.Find("java"));

        var report = JudgeHarness.Run("python", "print(int(input().split()[1]) * 2)",
            [JudgeHarness.Test("1", "sum 21\n", "42\n")], options: JudgeHarness.Options with { Languages = catalog });
        Assert.True(report.Verdict == Verdict.Accepted, JudgeHarness.Describe(report));
        Assert.Equal(CompileStatus.Skipped, report.Compile.Status);
    }

    [Theory]
    [InlineData("""{ "languages": [ { "id": "x", "name": "X", "source_file": "a/b", "version": ["x"], "run": ["x"] } ] }""", "source_file must be a plain file name")]
    [InlineData("""{ "languages": [ { "id": "x", "name": "X", "source_file": "a", "version": ["x"] } ] }""", "run")]
    [InlineData("""{ "languages": [ { "id": "x", "name": "X", "source_file": "a", "version": ["x"], "run": ["x"], "runn": 1 } ] }""", "runn")]
    [InlineData("""{ "languages": [ { "id": "x", "name": "X", "source_file": "a", "version": ["x"], "run": ["x"], "run_limits": { "memory_headroom": "lots" } } ] }""", "memory_headroom 'lots'")]
    [InlineData("""{ "languages": [ { "id": "x y", "name": "X", "source_file": "a", "version": ["x"], "run": ["x"] } ] }""", "language id 'x y'")]
    [InlineData("""{ "languages": [ { "id": "x", "name": "X", "source_file": "a", "version": ["x"], "run": ["x"], "compile_errors_at_run": { "exit_code": 1, "last_stderr_line": "(" } } ] }""", "compile_errors_at_run: last_stderr_line")]
    public void A_malformed_languages_file_is_refused_with_the_file_and_the_field_named(string json, string expected)
    {
        var path = Path.Combine(_dir, "bad.json");
        File.WriteAllText(path, json);
        var e = Assert.Throws<LanguageFileException>(() => LanguageCatalog.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void The_embedded_languages_file_matches_the_one_beside_the_assembly()
    {
        using var embedded = typeof(LanguageCatalog).Assembly.GetManifestResourceStream("Runner.Judge.languages.json")!;
        using var reader = new StreamReader(embedded);
        Assert.Equal(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "languages.json")), reader.ReadToEnd());
    }
}
