using Runner.Sandbox.HostFiles;

namespace Runner.Sandbox.Tests.HostFiles;

/// <summary>The host-side file primitives, on directories the test plants by hand.</summary>
public sealed class BoxDirectoryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("runner-boxdir-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Reading_a_symlink_a_FIFO_or_an_oversized_file_is_refused()
    {
        using var box = BoxDirectory.Create(_root, "box");
        File.WriteAllText(Path.Combine(_root, "secret"), "secret");
        File.CreateSymbolicLink(Path.Combine(box.FullPath, "link"), Path.Combine(_root, "secret"));
        Assert.Equal(0, Mkfifo(Path.Combine(box.FullPath, "fifo")));
        File.WriteAllText(Path.Combine(box.FullPath, "big"), new string('x', 2000));
        File.WriteAllText(Path.Combine(box.FullPath, "ok"), "ok");

        Assert.Contains("ELOOP", Assert.Throws<BoxFileException>(() => box.ReadFile("link", 100)).Message);
        Assert.Contains("not a regular file", Assert.Throws<BoxFileException>(() => box.ReadFile("fifo", 100)).Message);
        Assert.Contains("larger than 100 bytes", Assert.Throws<BoxFileException>(() => box.ReadFile("big", 100)).Message);
        Assert.Throws<BoxFileException>(() => box.ReadFile("../secret", 100));
        Assert.Equal("ok"u8.ToArray(), box.ReadFile("ok", 100));
    }

    [Fact]
    public void Writing_never_replaces_or_follows_an_existing_entry()
    {
        using var box = BoxDirectory.Create(_root, "box");
        var target = Path.Combine(_root, "target");
        File.WriteAllText(target, "host");
        File.CreateSymbolicLink(Path.Combine(box.FullPath, "input"), target);
        Assert.Throws<BoxFileException>(() => box.WriteFile("input", "planted"u8));
        Assert.Equal("host", File.ReadAllText(target));
    }

    [Fact]
    public void Disposing_removes_the_directory_without_descending_into_symlinked_directories()
    {
        var keep = Directory.CreateDirectory(Path.Combine(_root, "keep")).FullName;
        File.WriteAllText(Path.Combine(keep, "file"), "kept");
        var box = BoxDirectory.Create(_root, "box");
        Directory.CreateSymbolicLink(Path.Combine(box.FullPath, "link"), keep);
        box.Dispose();
        Assert.False(Directory.Exists(box.FullPath));
        Assert.Equal("kept", File.ReadAllText(Path.Combine(keep, "file")));
    }

    [Fact]
    public void A_snapshot_keeps_regular_files_and_directories_with_their_exec_bit_and_nothing_else()
    {
        using var from = BoxDirectory.Create(_root, "from");
        from.WriteFile("main", "bin"u8, executable: true);
        Directory.CreateDirectory(Path.Combine(from.FullPath, "pkg"));
        File.WriteAllText(Path.Combine(from.FullPath, "pkg", "A.class"), "class");
        File.CreateSymbolicLink(Path.Combine(from.FullPath, "link"), "/etc/passwd");
        var files = from.Snapshot(1 << 20, 100);
        Assert.Equal(["main", "pkg/", "pkg/A.class"], files.Select(f => f.RelativePath));

        using var to = BoxDirectory.Create(_root, "to");
        to.Restore(files);
        Assert.Equal("class", File.ReadAllText(Path.Combine(to.FullPath, "pkg", "A.class")));
        Assert.True(File.GetUnixFileMode(Path.Combine(to.FullPath, "main")).HasFlag(UnixFileMode.UserExecute));
        Assert.False(File.Exists(Path.Combine(to.FullPath, "link")));
    }

    [Fact]
    public void Writing_a_nested_path_creates_its_directories_but_never_follows_a_planted_link_on_the_way()
    {
        using var box = BoxDirectory.Create(_root, "box");
        box.WriteFile("src/main/app.c", "int main;"u8);
        Assert.Equal("int main;", File.ReadAllText(Path.Combine(box.FullPath, "src", "main", "app.c")));

        var outside = Directory.CreateDirectory(Path.Combine(_root, "outside")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(box.FullPath, "lib"), outside);
        // O_DIRECTORY | O_NOFOLLOW on the link: ENOTDIR, never the directory it names.
        Assert.Contains("ENOTDIR", Assert.Throws<BoxFileException>(() => box.WriteFile("lib/x.c", "planted"u8)).Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
        Assert.Throws<BoxFileException>(() => box.WriteFile("a/../../escape", "x"u8));
    }

    [Fact]
    public void Copy_out_gives_the_content_of_a_regular_file_and_a_reason_for_everything_else()
    {
        using var box = BoxDirectory.Create(_root, "box");
        File.WriteAllText(Path.Combine(_root, "secret"), "secret");
        Directory.CreateDirectory(Path.Combine(box.FullPath, "out"));
        File.WriteAllText(Path.Combine(box.FullPath, "out", "ok.txt"), "ok");
        File.CreateSymbolicLink(Path.Combine(box.FullPath, "link"), Path.Combine(_root, "secret"));
        Directory.CreateSymbolicLink(Path.Combine(box.FullPath, "up"), _root);
        Assert.Equal(0, Mkfifo(Path.Combine(box.FullPath, "fifo")));
        File.WriteAllText(Path.Combine(box.FullPath, "big"), new string('x', 2000));

        var ok = box.CopyOut("out/ok.txt", 100);
        Assert.Equal("ok"u8.ToArray(), ok.Content);
        Assert.Equal((2L, (string?)null), (ok.Size, ok.Error));
        Assert.Equal("no such file", box.CopyOut("missing", 100).Error);
        Assert.Contains("symbolic link", box.CopyOut("link", 100).Error);
        Assert.Contains("symbolic link", box.CopyOut("up/secret", 100).Error);
        Assert.Equal("refused: the path leaves the box", box.CopyOut("../secret", 100).Error);
        Assert.Equal("refused: not a regular file", box.CopyOut("fifo", 100).Error);
        Assert.Equal("refused: not a regular file", box.CopyOut("out", 100).Error);
        var big = box.CopyOut("big", 100);
        Assert.Null(big.Content);
        Assert.Equal(2000, big.Size);
        Assert.Contains("over the copy-out cap of 100", big.Error);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mkfifo")]
    private static extern int Mkfifo(string path, int mode = 0x1a4);
}
