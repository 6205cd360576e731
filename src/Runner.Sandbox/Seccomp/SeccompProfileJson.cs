using System.Text.Json.Serialization;

namespace Runner.Sandbox.Seccomp;

// Wire shapes of Docker's seccomp profile. Kept apart from SeccompProfile so the public model
// never carries the looseness of the JSON (nullable everything, two spellings of "name").

internal sealed class ProfileJson
{
    public string? DefaultAction { get; set; }
    public uint? DefaultErrnoRet { get; set; }
    public List<string>? Architectures { get; set; }
    public List<ArchMapJson>? ArchMap { get; set; }
    public List<SyscallJson>? Syscalls { get; set; }
    public List<string>? Flags { get; set; }
    public string? ListenerPath { get; set; }
    public string? ListenerMetadata { get; set; }
    public string? Comment { get; set; }
}

internal sealed class ArchMapJson
{
    public string? Architecture { get; set; }
    public List<string>? SubArchitectures { get; set; }
}

internal sealed class SyscallJson
{
    public List<string>? Names { get; set; }
    public string? Name { get; set; }
    public string? Action { get; set; }
    public uint? ErrnoRet { get; set; }
    public List<ArgJson>? Args { get; set; }
    public FilterJson? Includes { get; set; }
    public FilterJson? Excludes { get; set; }
    public string? Comment { get; set; }
}

internal sealed class ArgJson
{
    public uint? Index { get; set; }
    public ulong? Value { get; set; }
    public ulong? ValueTwo { get; set; }
    public string? Op { get; set; }
}

internal sealed class FilterJson
{
    public List<string>? Arches { get; set; }
    public List<string>? Caps { get; set; }
    public string? MinKernel { get; set; }
}

// Unknown members are rejected so that a misspelt field ("errnoret", "arg") fails loudly
// instead of silently widening the filter; names match case-insensitively as Docker's Go decoder does.
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    PropertyNameCaseInsensitive = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(ProfileJson))]
internal sealed partial class SeccompJsonContext : JsonSerializerContext;
