using Runner.Sandbox.Seccomp;

namespace Runner.Sandbox.Tests.Seccomp;

public sealed class CompiledFilterCacheTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("runner-bpf-cache-").FullName;
    private readonly string _text = SeccompProfile.DefaultText();
    private int _compiles;

    public void Dispose() => Directory.Delete(_state, true);

    private byte[] LoadOrCompile() =>
        CompiledFilterCache.LoadOrCompile(_state, _text, () => { _compiles++; return SeccompProfile.Parse(_text); });

    [Fact]
    public void A_compiled_program_is_stored_in_the_state_directory_and_reused_without_compiling_again()
    {
        var first = LoadOrCompile();
        var second = LoadOrCompile();

        Assert.Equal(1, _compiles);
        Assert.Equal(first, second);
        Assert.Equal(first, File.ReadAllBytes(CompiledFilterCache.FileOf(_state, _text)));
        Assert.Equal(SeccompProfile.Parse(_text).CompileBpf(), first);
    }

    [Fact]
    public void A_damaged_cache_file_is_ignored_and_replaced_by_a_fresh_compile()
    {
        var file = CompiledFilterCache.FileOf(_state, _text);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllBytes(file, [1, 2, 3, 4, 5]);

        var bpf = LoadOrCompile();

        Assert.Equal(1, _compiles);
        Assert.Equal(0, bpf.Length % 8);
        Assert.Equal(bpf, File.ReadAllBytes(file));
    }

    [Fact]
    public void A_stored_program_is_not_used_for_a_different_profile_text_even_under_the_same_file_name()
    {
        LoadOrCompile();
        // Pretend another text collided onto this file: its stored text no longer matches.
        File.WriteAllText(Path.ChangeExtension(CompiledFilterCache.FileOf(_state, _text), ".json"), _text + "changed");

        LoadOrCompile();

        Assert.Equal(2, _compiles);
    }

    [Fact]
    public void The_default_profile_found_as_bytes_is_the_same_stored_program_as_found_as_text()
    {
        Assert.Equal(_text, System.Text.Encoding.UTF8.GetString(SeccompProfile.DefaultUtf8()));
        Assert.Equal(CompiledFilterCache.KeyOf(_text), CompiledFilterCache.KeyOf(SeccompProfile.DefaultUtf8()));
        var compiled = LoadOrCompile();

        var found = CompiledFilterCache.GetDefault(_state);

        Assert.Equal(compiled, found);
        Assert.Equal(1, _compiles);
    }

    [Fact]
    public void Different_profile_texts_get_different_cache_files()
    {
        Assert.NotEqual(CompiledFilterCache.FileOf(_state, _text), CompiledFilterCache.FileOf(_state, _text + " "));
    }
}
