using Runner.Judge.Checking;
using Runner.Judge.Languages;

namespace Runner.Judge.Tests;

/// <summary>
/// A box that plants symlinks, FIFOs or huge files in its directory cannot make the host read or
/// write outside it (judge0 CVE-2024-28185/28189, go-judge #176). The planting scripts refuse to act
/// unless they see the box (hostname "sandbox", pid below 10) and aim only at this test's scratch files.
/// </summary>
public sealed class SymlinkTests : IDisposable
{
    private const string Guard = "[ \"$(cat /proc/sys/kernel/hostname)\" = sandbox ] && [ $$ -lt 10 ] || exit 99\n";
    private readonly string _scratch = Directory.CreateTempSubdirectory("runner-judge-victim-").FullName;
    private readonly string _secret, _victimDir;

    public SymlinkTests()
    {
        _secret = Path.Combine(_scratch, "secret");
        File.WriteAllText(_secret, "HOST-SECRET-7f3a\n");
        _victimDir = Path.Combine(_scratch, "keep");
        Directory.CreateDirectory(_victimDir);
        File.WriteAllText(Path.Combine(_victimDir, "precious"), "precious\n");
    }

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    /// <summary>A language whose compile and run steps are this script, as an operator's build script could be.</summary>
    private static LanguageCatalog PlantingLanguage() => new([new LanguageDefinition
    {
        Id = "plant",
        Name = "planting script",
        SourceFile = "main.sh",
        Version = ["bash", "--version"],
        Compile = ["bash", "main.sh", "compile"],
        Run = ["bash", "main.sh", "run"],
    }, .. JudgeHarness.Catalog.Languages]);

    private JudgeReport RunPlanter(string script, IReadOnlyList<TestCase> tests, CheckerSpec? checker = null) =>
        JudgeHarness.Run("plant", Guard + script, tests, checker: checker,
            options: JudgeHarness.Options with { Languages = PlantingLanguage() });

    [Fact]
    public void Symlinks_and_FIFOs_left_by_the_compile_step_are_neither_followed_nor_copied()
    {
        var report = RunPlanter($$"""
            if [ "$1" = compile ]; then
              ln -s {{_secret}} leak; ln -s {{_victimDir}} dir-leak; ln -s /etc/shadow shadow
              mkfifo fifo; mkdir sub; ln -s {{_secret}} sub/leak; echo built > artifact
            else
              for f in leak dir-leak shadow fifo sub/leak; do [ -e $f ] || [ -L $f ] && echo "present: $f"; done
              cat artifact
            fi
            """, [JudgeHarness.Test("1", "", "built\n")]);
        Assert.True(report.Verdict == Verdict.Accepted, JudgeHarness.Describe(report));
        Assert.DoesNotContain("HOST-SECRET", JudgeHarness.Describe(report));
    }

    [Fact]
    public void Symlinks_planted_by_the_program_do_not_redirect_the_hosts_checker_files_or_cleanup()
    {
        // The program replaces everything in its box with links to host paths, including the
        // names the host uses for the checker's files, and a link to a host directory that the
        // host's cleanup would empty if it followed links.
        var report = RunPlanter($$"""
            if [ "$1" = run ]; then
              for f in main.sh input output answer checker main; do rm -f $f; ln -s {{_secret}} $f; done
              ln -s {{_victimDir}} keep; ln -s {{_victimDir}}/precious precious
              echo 2
            fi
            """,
            [JudgeHarness.Test("1", "sum 1 1\n", "sum"), JudgeHarness.Test("2", "sum 1 1\n", "sum")],
            CheckerSpec.Custom(JudgeHarness.Program("checker.cpp")));
        Assert.True(report.Verdict == Verdict.Accepted, JudgeHarness.Describe(report));
        Assert.Equal("HOST-SECRET-7f3a\n", File.ReadAllText(_secret));
        Assert.Equal("precious\n", File.ReadAllText(Path.Combine(_victimDir, "precious")));
        Assert.Equal(0u, (uint)File.GetUnixFileMode(_secret) & 0x2); // still not world-writable
        Assert.Empty(Directory.EnumerateFileSystemEntries(JudgeHarness.WorkRoot)); // and the session dir is gone
    }
}
