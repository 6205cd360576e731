using System.Diagnostics;

namespace Runner.Judge.Tests;

/// <summary>
/// The debootstrap image (rootfs/build-image.sh) runs hello world in every shipped language.
/// The image is cached under /var/cache/runner-rootfs/&lt;hash of its package list&gt;; a missing one
/// is built here (about 100 s with a cold package cache on this machine).
/// </summary>
public class RootfsImageTests
{
    private static readonly Dictionary<string, string> HelloWorld = new()
    {
        ["c"] = "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n",
        ["cpp"] = "#include <iostream>\nint main() { std::cout << \"hello\\n\"; }\n",
        ["python"] = "print('hello')\n",
        ["java"] = "public class Main { public static void main(String[] a) { System.out.println(\"hello\"); } }\n",
        ["javascript"] = "console.log('hello')\n",
        ["perl"] = "print \"hello\\n\";\n",
        ["bash"] = "echo hello\n",
        ["fortran"] = "program p\n  print '(A)', 'hello'\nend program p\n",
    };

    [Fact]
    public void The_built_image_runs_hello_world_in_every_shipped_language()
    {
        var image = BuildImage();
        var options = JudgeHarness.Options with { RootfsPath = image };
        Assert.Equal(JudgeHarness.Catalog.Languages.Select(l => l.Id).Order(), HelloWorld.Keys.Order());

        var versions = JudgeHarness.Catalog.Detect(JudgeHarness.Sandbox, image);
        Assert.All(versions, v => Assert.True(v.Available, $"{v.Id} in the image: {v.Problem}"));
        // Boxes really see the image, not the host's /usr: Debian's node differs from this host's.
        var hostNode = JudgeHarness.Catalog.Detect(JudgeHarness.Catalog.Find("javascript")!, JudgeHarness.Sandbox).Version;
        Assert.NotEqual(hostNode, versions.Single(v => v.Id == "javascript").Version);
        foreach (var (language, source) in HelloWorld)
        {
            var report = JudgeHarness.Run(language, source, [JudgeHarness.Test("hello", "", "hello\n")],
                JudgeHarness.Limits(language) with { CpuTimeSeconds = 5, MemoryBytes = 256L << 20 }, options: options);
            Assert.True(report.Verdict == Verdict.Accepted, $"{language}: {JudgeHarness.Describe(report)}");
        }
    }

    private static string BuildImage()
    {
        var script = Path.Combine(AppContext.BaseDirectory, "rootfs", "build-image.sh");
        var start = new ProcessStartInfo("bash", [script]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0,
            $"rootfs/build-image.sh failed (it needs root and debootstrap: apt-get install debootstrap):\n{stderr.Result}");
        var image = stdout.Trim().Split('\n')[^1];
        Assert.True(Directory.Exists(image), $"build-image.sh printed '{image}'");
        return image;
    }
}
