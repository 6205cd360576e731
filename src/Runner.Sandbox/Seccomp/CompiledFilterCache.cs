using System.Collections.Concurrent;
using System.Text;

namespace Runner.Sandbox.Seccomp;

/// <summary>
/// Compiled BPF programs, keyed by the profile text. Compiling with libseccomp
/// (dlopen, JSON parsing, rule building) costs a few milliseconds, more than the rest of a
/// launch, and a `runner run` process would pay it every time. So a program is compiled once
/// per host and kept in memory and in the state directory, which only the launcher's uid can
/// write. A cached program stays valid when libseccomp is upgraded: BPF is kernel ABI.
/// </summary>
internal static class CompiledFilterCache
{
    /// <summary>Bumped whenever the way profiles are compiled changes, so old files are not reused.</summary>
    private const string CompilerVersion = "runner-seccomp-1 x86_64";
    private const int MaxInstructions = 4096;
    private static readonly ConcurrentDictionary<string, byte[]> Memory = new();
    private static readonly ConcurrentDictionary<string, byte[]> Defaults = new();

    /// <summary>
    /// The default profile's program. Its text is built in, so it is read and hashed once per
    /// state directory rather than on every launch (about 0.1 ms of a warm launch's critical path).
    /// </summary>
    public static byte[] GetDefault(string stateDirectory) =>
        Defaults.TryGetValue(stateDirectory, out var cached)
            ? cached
            : Defaults.GetOrAdd(stateDirectory, LoadDefault(stateDirectory));

    /// <summary>
    /// The default profile's stored program, found with its text as bytes: hashed and compared
    /// with the stored copy without decoding it to a string and encoding it again (a one-shot
    /// `runner run` pays this once). The same file as <see cref="Get"/> would use; when it is
    /// missing or differs, the text goes the usual way.
    /// </summary>
    private static byte[] LoadDefault(string stateDirectory)
    {
        var text = SeccompProfile.DefaultUtf8();
        var file = Path.Combine(stateDirectory, "seccomp", KeyOf(text) + ".bpf");
        if (TryReadBytes(Path.ChangeExtension(file, ".json")) is { } stored && stored.AsSpan().SequenceEqual(text)
            && TryRead(file) is { } bpf)
            return bpf;
        return Get(stateDirectory, Encoding.UTF8.GetString(text), SeccompProfile.LoadDefault);
    }

    public static byte[] Get(string stateDirectory, string profileText, Func<SeccompProfile> parse)
    {
        var key = KeyOf(profileText);
        return Memory.TryGetValue(key, out var cached)
            ? cached
            : Memory.GetOrAdd(key, LoadOrCompile(stateDirectory, profileText, parse));
    }

    /// <summary>
    /// FNV-1a over the text names the file; the text itself is stored beside the program and
    /// compared on every read, so a hash collision can never hand out another profile's
    /// program. (No cryptographic hash: System.Security.Cryptography would pull OpenSSL into
    /// the NativeAOT CLI, which must run on hosts without it.)
    /// </summary>
    internal static string KeyOf(string profileText) => KeyOf(Encoding.UTF8.GetBytes(profileText));

    /// <summary><see cref="KeyOf(string)"/> of the text these UTF-8 bytes spell.</summary>
    internal static string KeyOf(ReadOnlySpan<byte> profileUtf8)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(CompilerVersion + "\n"))
            hash = (hash ^ b) * 1099511628211UL;
        foreach (var b in profileUtf8)
            hash = (hash ^ b) * 1099511628211UL;
        return hash.ToString("x16");
    }

    internal static string FileOf(string stateDirectory, string profileText) =>
        Path.Combine(stateDirectory, "seccomp", KeyOf(profileText) + ".bpf");

    /// <summary>The state directory's copy, or a fresh compile that is then stored there.</summary>
    internal static byte[] LoadOrCompile(string stateDirectory, string profileText, Func<SeccompProfile> parse)
    {
        var file = FileOf(stateDirectory, profileText);
        var textFile = Path.ChangeExtension(file, ".json");
        var bpf = TryReadText(textFile) == profileText ? TryRead(file) : null;
        if (bpf is null)
        {
            bpf = parse().CompileBpf();
            var directory = Path.GetDirectoryName(file)!;
            TryWrite(directory, file, bpf);
            TryWrite(directory, textFile, Encoding.UTF8.GetBytes(profileText));
        }
        return bpf;
    }

    private static string? TryReadText(string file)
    {
        try
        {
            return File.ReadAllText(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static byte[]? TryReadBytes(string file)
    {
        try
        {
            return File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static byte[]? TryRead(string file)
    {
        try
        {
            var bytes = File.ReadAllBytes(file);
            return bytes.Length > 0 && bytes.Length % 8 == 0 && bytes.Length <= MaxInstructions * 8 ? bytes : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Best effort: a launch never fails because the cache could not be written.</summary>
    private static void TryWrite(string directory, string file, byte[] bpf)
    {
        try
        {
            Directory.CreateDirectory(directory);
            var temporary = $"{file}.{Environment.ProcessId}.{Environment.CurrentManagedThreadId}.tmp";
            File.WriteAllBytes(temporary, bpf);
            File.Move(temporary, file, overwrite: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
