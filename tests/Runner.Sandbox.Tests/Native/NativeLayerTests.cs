namespace Runner.Sandbox.Tests.Native;

/// <summary>
/// The product has one Linux layer: every import lives under src/Runner.Sandbox/Native/, where
/// <see cref="KernelConstantsTests"/> checks its constants against the C headers. A copy
/// elsewhere would be checked by nothing.
/// </summary>
public class NativeLayerTests
{
    [Fact]
    public void Every_native_import_of_the_product_is_under_Runner_Sandbox_Native()
    {
        var root = FindRepositoryRoot();
        var native = Path.Combine(root, "src", "Runner.Sandbox", "Native") + Path.DirectorySeparatorChar;
        var outside = Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(p => !p.StartsWith(native, StringComparison.Ordinal))
            .Where(p => !Path.GetRelativePath(root, p).Split(Path.DirectorySeparatorChar).Any(part => part is "obj" or "bin"))
            .Where(p => File.ReadAllText(p) is var text && (text.Contains("[DllImport") || text.Contains("[LibraryImport")))
            .Select(p => Path.GetRelativePath(root, p))
            .ToList();
        Assert.Empty(outside);
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Runner.sln"))) return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root (Runner.sln) above " + AppContext.BaseDirectory);
    }
}
