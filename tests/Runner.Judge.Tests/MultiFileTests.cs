namespace Runner.Judge.Tests;

/// <summary>Files beside the source: headers and modules the main file uses, written into the compile box.</summary>
public class MultiFileTests
{
    private static JudgeReport Run(string language, string source, Dictionary<string, string> files) =>
        JudgePipeline.Run(new JudgeRequest
        {
            Language = language,
            Source = source,
            Files = files,
            Tests = [JudgeHarness.Test("1", "20\n", "40\n")],
            Limits = JudgeHarness.Limits(language),
        }, JudgeHarness.Options);

    [Fact]
    public void A_C_program_includes_a_header_from_a_subdirectory()
    {
        var report = Run("c", "#include <stdio.h>\n#include \"lib/twice.h\"\nint main(void){int n; scanf(\"%d\", &n); printf(\"%d\\n\", twice(n)); return 0;}\n",
            new() { ["lib/twice.h"] = "static inline int twice(int n) { return 2 * n; }\n" });
        Assert.True(report.Verdict == Verdict.Accepted, JudgeHarness.Describe(report));
    }

    [Fact]
    public void A_Python_program_imports_a_module_from_a_package_at_run_time()
    {
        var report = Run("python", "from helpers.math import twice\nprint(twice(int(input())))\n",
            new() { ["helpers/__init__.py"] = "", ["helpers/math.py"] = "def twice(n):\n    return 2 * n\n" });
        Assert.True(report.Verdict == Verdict.Accepted, JudgeHarness.Describe(report));
    }

    [Theory]
    [InlineData("../escape.h", "files.../escape.h")]
    [InlineData("/etc/passwd", "files./etc/passwd")]
    [InlineData("main.py", "files.main.py")]
    public void A_file_outside_the_box_or_replacing_the_main_source_is_refused(string path, string field)
    {
        var e = Assert.Throws<JudgeRequestException>(() => Run("python", "print(1)", new() { [path] = "x" }));
        Assert.Equal(field, e.Field);
    }
}
