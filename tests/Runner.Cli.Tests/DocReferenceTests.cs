using System.Text.RegularExpressions;

namespace Runner.Cli.Tests;

/// <summary>
/// Every repository path that the code's comments and strings (the <c>--help</c> text included)
/// or the README name must exist, and every README section they link to must be a heading, so a
/// moved or merged document cannot leave pointers behind that mislead a reader or a user.
/// </summary>
public partial class DocReferenceTests
{
    private static readonly string Root = FindRepositoryRoot();

    /// <summary>Extensions of files a comment or document points a reader at.</summary>
    private static readonly string[] DocumentExtensions = [".md", ".cs", ".c", ".json", ".sh", ".sql", ".csproj", ".yml"];

    [Fact]
    public void Every_repository_path_named_in_the_code_and_the_README_exists()
    {
        var dead = Sources()
            .SelectMany(source => PathsIn(source).Select(reference => (source, reference)))
            .Where(x => !Exists(x.source, x.reference))
            .Select(x => $"{Path.GetRelativePath(Root, x.source)}: {x.reference}")
            .ToList();
        Assert.True(dead.Count == 0, "dead pointers:\n" + string.Join("\n", dead));
    }

    /// <summary>README.md#anchor in the code, and (#anchor) links inside the README.</summary>
    [Fact]
    public void Every_README_section_linked_from_the_code_and_the_README_is_a_heading()
    {
        var headings = File.ReadAllLines(Path.Combine(Root, "README.md"))
            .Where(line => line.StartsWith('#'))
            .Select(line => Slug(line.TrimStart('#').Trim()))
            .ToHashSet();
        var dead = Sources()
            .SelectMany(source => ReadmeAnchor().Matches(File.ReadAllText(source)).Select(m => (source, anchor: m.Groups[1].Value)))
            .Where(x => !headings.Contains(x.anchor))
            .Select(x => $"{Path.GetRelativePath(Root, x.source)}: README.md#{x.anchor}")
            .ToList();
        Assert.True(dead.Count == 0, "links to no README heading:\n" + string.Join("\n", dead));
    }

    [Fact]
    public void The_check_finds_a_dead_pointer_and_accepts_a_live_one()
    {
        // Guards the regex: if it matched nothing, the tests above could not fail.
        var source = Path.Combine(Root, "src", "Runner.Sandbox", "Launch", "Launcher.cs");
        Assert.Equal(["docs/gone.md", "Native/runner_launch.c", "DESIGN.md"],
            PathsIn("see docs/gone.md, Native/runner_launch.c (/usr/bin/x, https://example.org/a.md) and DESIGN.md"));
        Assert.False(Exists(source, "docs/gone.md"));
        Assert.False(Exists(source, "DESIGN.md"));
        Assert.True(Exists(source, "Native/runner_launch.c"));
        Assert.True(Exists(source, "rootfs/README.md"));
        Assert.True(Exists(source, "runner_launch.c"));
        Assert.Equal("the-runner-command-line", Slug("The `runner` command line"));
        Assert.Equal(["result-fields", "verdicts"],
            ReadmeAnchor().Matches("see README.md#result-fields and [Verdicts](#verdicts)").Select(m => m.Groups[1].Value));
    }

    private static readonly Lazy<HashSet<string>> RepositoryFileNames = new(() =>
        RepositoryFiles(Root, "*").Select(Path.GetFileName).OfType<string>().ToHashSet());

    private static IEnumerable<string> Sources() =>
        RepositoryFiles(Path.Combine(Root, "src"), "*.cs").Append(Path.Combine(Root, "README.md"));

    private static IEnumerable<string> RepositoryFiles(string under, string pattern) =>
        Directory.EnumerateFiles(under, pattern, SearchOption.AllDirectories)
            .Where(p => !Path.GetRelativePath(Root, p).Split(Path.DirectorySeparatorChar).Any(part => part is "obj" or "bin" or ".git"));

    private static List<string> PathsIn(string sourceOrText)
    {
        var text = File.Exists(sourceOrText) ? File.ReadAllText(sourceOrText) : sourceOrText;
        return RelativePath().Matches(text)
            .Select(m => m.Value.TrimEnd('.', '/'))
            .Where(p => IsRepositoryPath(p) && !IsBuildOutput(p))
            .Distinct()
            .ToList();
    }

    /// <summary>
    /// A relative path that starts at a top-level entry of the repository (docs/…, rootfs/…), or
    /// that names a document or source file (Native/runner_launch.c, DESIGN.md). Box paths and
    /// host paths are absolute and are not matched at all.
    /// </summary>
    private static bool IsRepositoryPath(string path)
    {
        var first = path.Split('/')[0];
        var topLevel = path.Contains('/') && first.Length > 0
            && (Directory.Exists(Path.Combine(Root, first)) || File.Exists(Path.Combine(Root, first)));
        return topLevel || DocumentExtensions.Any(e => path.EndsWith(e, StringComparison.Ordinal));
    }

    /// <summary>bin/ and obj/ exist only after a build (the README names a built dll).</summary>
    private static bool IsBuildOutput(string path) => path.Split('/').Any(part => part is "bin" or "obj");

    /// <summary>
    /// Relative to the repository, the file's project, or the file's own directory; a bare file
    /// name ("runner_launch.c") anywhere in the repository.
    /// </summary>
    private static bool Exists(string source, string path)
    {
        if (!path.Contains('/')) return RepositoryFileNames.Value.Contains(path);
        var project = Path.GetRelativePath(Root, source).Split(Path.DirectorySeparatorChar) is [var top, var name, ..] && top == "src"
            ? Path.Combine(Root, top, name)
            : Root;
        return new[] { Root, project, Path.GetDirectoryName(source)! }
            .Select(dir => Path.Combine(dir, path))
            .Any(full => File.Exists(full) || Directory.Exists(full));
    }

    /// <summary>GitHub's anchor for a heading: lower case, punctuation dropped, spaces as dashes.</summary>
    private static string Slug(string heading) =>
        string.Concat(heading.ToLowerInvariant().Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_')).Replace(' ', '-');

    // A run of path segments not preceded by '/', ':' or a word character (so absolute paths,
    // URLs and member names are not matched), with at least one '/' or a file extension.
    [GeneratedRegex(@"(?<![\w/:.\-{}$])(?:[A-Za-z0-9_.\-]+/)+[A-Za-z0-9_.\-]*|(?<![\w/:.\-])[A-Za-z0-9_\-]+\.[a-z]+\b")]
    private static partial Regex RelativePath();

    [GeneratedRegex(@"(?:README\.md|\]\()#([a-z0-9_\-]+)")]
    private static partial Regex ReadmeAnchor();

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Runner.sln"))) return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root (Runner.sln) above " + AppContext.BaseDirectory);
    }
}
