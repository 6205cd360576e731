using System.Buffers.Binary;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Runner.Api.Hosting;
using Runner.Api.Storage;
using Runner.Api.Submissions;
using Runner.Judge;
using Runner.Judge.Checking;

namespace Runner.Api.StoredProblems;

/// <summary>
/// A problem zip, read defensively and reduced to what is stored: problem.json, tests/NAME.in,
/// tests/NAME.out (an uploaded NAME.ans is stored as NAME.out) and the sources problem.json
/// names. Entry names are checked before anything is unpacked (no absolute paths, no '..', no
/// backslashes, no symlinks or other special files, no name twice), and unpacking counts the
/// bytes it actually inflates against the bounds instead of trusting the sizes the zip declares.
/// The version is the SHA-256 of the stored content, so the same content uploaded twice (even
/// zipped differently) is the same version.
/// </summary>
public sealed class ProblemPackage
{
    public const string ProblemFile = "problem.json";
    private const string TestsDirectory = "tests/";

    private ProblemPackage(string version, ProblemDefinition definition, SortedDictionary<string, byte[]> entries) =>
        (Version, Definition, Entries) = (version, definition, entries);

    public string Version { get; }
    public ProblemDefinition Definition { get; }

    /// <summary>Stored entries by name, in ordinal order.</summary>
    public IReadOnlyDictionary<string, byte[]> Entries { get; }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
    };

    /// <summary>Validates an uploaded zip; null with <paramref name="errors"/> keyed by entry name ("tests/3.in", "problem.json:limits.time", or "body").</summary>
    /// <param name="languages">Language ids some worker can judge; empty means unknown (not checked).</param>
    public static ProblemPackage? Read(byte[] zip, ProblemOptions bounds, LimitOptions server, IReadOnlySet<string> languages, ValidationErrors errors)
    {
        using var archive = Open(zip, errors);
        if (archive is null) return null;
        var files = Index(archive, bounds, errors);
        if (files is null) return null;

        var entries = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        long unpacked = 0;
        bool Take(string name, string storedAs)
        {
            if (Inflate(files[name], bounds.MaxUnpackedBytes - unpacked, errors) is not { } bytes) return false;
            unpacked += bytes.Length;
            entries[storedAs] = bytes;
            return true;
        }

        var json = new ProblemJson();
        if (files.ContainsKey(ProblemFile))
        {
            if (!Take(ProblemFile, ProblemFile)) return null;
            try
            {
                json = JsonSerializer.Deserialize<ProblemJson>(entries[ProblemFile], Json) ?? json;
            }
            catch (JsonException e)
            {
                errors.Add(ProblemFile, $"is not valid: {e.Message}");
                return null;
            }
        }

        // tests/ holds NAME.in with an optional NAME.out or NAME.ans, and nothing else.
        var inputs = new List<string>();
        foreach (var name in files.Keys.Where(n => n.StartsWith(TestsDirectory, StringComparison.Ordinal)))
        {
            var file = name[TestsDirectory.Length..];
            var ext = Path.GetExtension(file);
            var test = file[..^ext.Length];
            if (file.Contains('/') || test.Length == 0 || ext is not (".in" or ".out" or ".ans"))
            {
                errors.Add(name, "tests/ holds only NAME.in files and their NAME.out (or NAME.ans) answers");
                return null;
            }
            if (ext != ".in" && !files.ContainsKey($"{TestsDirectory}{test}.in"))
            {
                errors.Add(name, $"is an answer without its input {TestsDirectory}{test}.in");
                return null;
            }
            if (ext == ".ans" && files.ContainsKey($"{TestsDirectory}{test}.out"))
            {
                errors.Add(name, $"test '{test}' has both {test}.out and {test}.ans");
                return null;
            }
            if (ext == ".in") inputs.Add(test);
        }
        if (inputs.Count == 0)
        {
            errors.Add("tests/", "a problem needs at least one test, tests/NAME.in");
            return null;
        }
        if (inputs.Count > bounds.MaxTests)
        {
            errors.Add("tests/", $"has {inputs.Count} tests; the server maximum is {bounds.MaxTests}");
            return null;
        }
        inputs.Sort(NaturalOrder.Compare);
        var tests = new List<ProblemTest>();
        foreach (var test in inputs)
        {
            if (!Take($"{TestsDirectory}{test}.in", $"{TestsDirectory}{test}.in")) return null;
            var answer = new[] { ".out", ".ans" }.Select(e => $"{TestsDirectory}{test}{e}").FirstOrDefault(files.ContainsKey);
            if (answer is not null && !Take(answer, $"{TestsDirectory}{test}.out")) return null;
            tests.Add(new ProblemTest(test, entries[$"{TestsDirectory}{test}.in"].Length, answer is null ? null : entries[$"{TestsDirectory}{test}.out"].Length));
        }

        const string at = ProblemFile + ":";
        var limits = LimitsValidator.Resolve(json.Limits, server, at + "limits", errors);
        var checker = ResolveChecker(json.Checker, files, languages, errors);
        ProblemProgram? interactor = null;
        if (json.Interactor is { } i)
        {
            CheckProgram(i.Language, i.File, "interactor", files, languages, errors);
            if (checker.Type == CheckerKind.Custom)
                errors.Add(at + "interactor", "the interactor decides each test: give no custom checker with it");
            interactor = new ProblemProgram(i.Language ?? "", i.File ?? "");
        }
        var groups = GroupsValidator.Resolve(json.Groups, inputs, at, errors);
        if (errors.Any) return null;
        foreach (var program in new[] { checker.File, interactor?.File }.OfType<string>().Distinct())
            if (!Take(program, program)) return null;

        var definition = new ProblemDefinition
        {
            Name = json.Name,
            Limits = limits,
            Checker = checker,
            Interactor = interactor,
            Groups = groups,
            Tests = tests,
            UnpackedBytes = unpacked,
        };
        return new ProblemPackage(Hash(entries), definition, entries);
    }

    /// <summary>
    /// A worker's side: unpacks a stored package with the same defences and checks it is the
    /// version asked for, so a damaged copy is never judged with.
    /// </summary>
    /// <exception cref="InvalidDataException">Not a package of that version.</exception>
    public static IReadOnlyDictionary<string, byte[]> Unpack(byte[] zip, string version, ProblemOptions bounds)
    {
        var errors = new ValidationErrors();
        var entries = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        using (var archive = Open(zip, errors))
        {
            var files = archive is null ? null : Index(archive, bounds, errors);
            long unpacked = 0;
            foreach (var (name, entry) in files ?? [])
            {
                if (Inflate(entry, bounds.MaxUnpackedBytes - unpacked, errors) is not { } bytes) break;
                unpacked += bytes.Length;
                entries[name] = bytes;
            }
        }
        if (errors.Any) throw new InvalidDataException($"the stored package of version {version} is damaged: {errors.ToDictionary().First().Key}: {errors.ToDictionary().First().Value[0]}");
        var hash = Hash(entries);
        if (hash != version) throw new InvalidDataException($"the stored package of version {version} has content {hash}");
        return entries;
    }

    /// <summary>The stored form: the entries in name order, with fixed timestamps.</summary>
    public byte[] ToZip()
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, content) in Entries)
            {
                var entry = archive.CreateEntry(name, CompressionLevel.Optimal);
                entry.LastWriteTime = new DateTimeOffset(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);
                using var stream = entry.Open();
                stream.Write(content);
            }
        return buffer.ToArray();
    }

    /// <summary>SHA-256 over each entry's name, length and bytes, in name order: lowercase hex.</summary>
    public static string Hash(IReadOnlyDictionary<string, byte[]> entries)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[8];
        foreach (var (name, content) in entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            sha.AppendData(Encoding.UTF8.GetBytes(name));
            sha.AppendData([0]);
            BinaryPrimitives.WriteInt64LittleEndian(length, content.Length);
            sha.AppendData(length);
            sha.AppendData(content);
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static ZipArchive? Open(byte[] zip, ValidationErrors errors)
    {
        try
        {
            return new ZipArchive(new MemoryStream(zip, writable: false), ZipArchiveMode.Read);
        }
        catch (InvalidDataException e)
        {
            errors.Add("body", $"is not a zip archive: {e.Message}");
            return null;
        }
    }

    /// <summary>Every entry's name and type checked, nothing unpacked yet; files by name (directories left out).</summary>
    private static Dictionary<string, ZipArchiveEntry>? Index(ZipArchive archive, ProblemOptions bounds, ValidationErrors errors)
    {
        IReadOnlyCollection<ZipArchiveEntry> all;
        try
        {
            all = archive.Entries;
        }
        catch (InvalidDataException e)
        {
            errors.Add("body", $"is not a readable zip archive: {e.Message}");
            return null;
        }
        if (all.Count > bounds.MaxEntries)
        {
            errors.Add("body", $"has {all.Count} entries; the server maximum is {bounds.MaxEntries}");
            return null;
        }
        var files = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in all)
        {
            var name = entry.FullName;
            var directory = name.EndsWith('/');
            var path = directory ? name[..^1] : name;
            if (NameProblem(path) is { } problem)
            {
                errors.Add(name, problem);
                return null;
            }
            // Unix "made by" zips keep st_mode in the high 16 bits of the external attributes.
            var type = (entry.ExternalAttributes >> 16) & 0xF000;
            if (type == 0xA000)
            {
                errors.Add(name, "is a symbolic link; a problem zip holds regular files and directories only");
                return null;
            }
            if (type is not (0 or 0x8000 or 0x4000))
            {
                errors.Add(name, "is not a regular file or a directory");
                return null;
            }
            if (!seen.Add(path))
            {
                errors.Add(name, "appears twice in the zip");
                return null;
            }
            if (!directory && type != 0x4000) files[path] = entry;
        }
        return files;
    }

    /// <summary>Why an entry name could lead outside the package's root, or null when it cannot.</summary>
    public static string? NameProblem(string path)
    {
        if (path.Length == 0) return "has an empty name";
        if (path.Contains('\\')) return "uses '\\'; zip entry names separate directories with '/'";
        if (path.StartsWith('/') || (path.Length >= 2 && path[1] == ':')) return "is an absolute path";
        if (path.Any(char.IsControl)) return "has a control character in its name";
        var parts = path.Split('/');
        if (parts.Any(p => p is "" or "." or "..")) return "has '..', '.' or an empty segment in its path";
        if (parts.Any(p => Encoding.UTF8.GetByteCount(p) > SubmissionFiles.MaxNameBytes) || Encoding.UTF8.GetByteCount(path) > SubmissionFiles.MaxPathBytes)
            return $"has a name over {SubmissionFiles.MaxNameBytes} bytes or a path over {SubmissionFiles.MaxPathBytes}";
        return null;
    }

    /// <summary>Inflates one entry, counting what it really produces; corrupt data (a CRC mismatch) is an error naming it.</summary>
    private static byte[]? Inflate(ZipArchiveEntry entry, long room, ValidationErrors errors)
    {
        var tooBig = $"unpacks to more than the {room} bytes left under the server maximum (Runner:Problems:MaxUnpackedBytes)";
        if (entry.Length > room)
        {
            errors.Add(entry.FullName, tooBig);
            return null;
        }
        try
        {
            using var input = entry.Open();
            using var output = new MemoryStream((int)Math.Min(entry.Length, 1 << 20));
            var chunk = new byte[81920];
            int n;
            while ((n = input.Read(chunk)) > 0)
            {
                if (output.Length + n > room)
                {
                    errors.Add(entry.FullName, tooBig);
                    return null;
                }
                output.Write(chunk, 0, n);
            }
            // The zip's own CRC-32 of the entry: System.IO.Compression does not compare it.
            var bytes = output.ToArray();
            if (System.IO.Hashing.Crc32.HashToUInt32(bytes) != entry.Crc32)
            {
                errors.Add(entry.FullName, "is corrupt: its data does not match the CRC-32 the zip records for it");
                return null;
            }
            return bytes;
        }
        catch (InvalidDataException e)
        {
            errors.Add(entry.FullName, $"is corrupt: {e.Message}");
            return null;
        }
    }

    private static ProblemChecker ResolveChecker(ProblemCheckerJson? c, Dictionary<string, ZipArchiveEntry> files, IReadOnlySet<string> languages, ValidationErrors errors)
    {
        const string at = ProblemFile + ":checker";
        if (c is null) return new ProblemChecker(CheckerKind.Lines);
        var type = CheckerKind.Lines;
        if (c.Type is not null && !CheckerSpec.TryParseKind(c.Type, out type))
        {
            errors.Add($"{at}.type", $"unknown checker '{c.Type}'; expected one of {string.Join(", ", Enum.GetValues<CheckerKind>().Select(CheckerKindJsonConverter.Name))}");
            return new ProblemChecker(CheckerKind.Lines);
        }
        if (c.Epsilon is { } eps && (type != CheckerKind.Float || !(eps >= 0) || double.IsInfinity(eps)))
            errors.Add($"{at}.epsilon", type == CheckerKind.Float ? "must be a finite number >= 0" : "applies to the float checker only");
        if (type == CheckerKind.Custom)
            CheckProgram(c.Language, c.File, "checker", files, languages, errors);
        else if (c.Language is not null || c.File is not null)
            errors.Add(c.Language is not null ? $"{at}.language" : $"{at}.file", "applies to the custom checker only");
        return new ProblemChecker(type, c.Epsilon, c.Language, c.File);
    }

    private static void CheckProgram(string? language, string? file, string field, Dictionary<string, ZipArchiveEntry> files,
        IReadOnlySet<string> languages, ValidationErrors errors)
    {
        var at = $"{ProblemFile}:{field}";
        if (string.IsNullOrEmpty(language)) errors.Add($"{at}.language", "is required");
        else if (languages.Count > 0 && !languages.Contains(language))
            errors.Add($"{at}.language", $"no live worker can judge '{language}'; available: {string.Join(", ", languages.Order())}");
        if (string.IsNullOrEmpty(file)) errors.Add($"{at}.file", "is required: the source's path in the zip");
        else if (!files.ContainsKey(file)) errors.Add($"{at}.file", $"names '{file}', which is not in the zip");
        else if (file == ProblemFile || file.StartsWith(TestsDirectory, StringComparison.Ordinal))
            errors.Add($"{at}.file", "must be a source of its own, not problem.json or a test");
    }
}
