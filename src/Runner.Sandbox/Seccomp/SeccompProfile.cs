using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using Runner.Sandbox.Native;

namespace Runner.Sandbox.Seccomp;

/// <summary>One argument condition of a rule, as in Docker's profile (<c>{index, value, valueTwo, op}</c>).</summary>
public sealed record SeccompArg(uint Index, ulong Value, ulong ValueTwo, string Op);

/// <summary>
/// One syscall rule after includes/excludes were applied. <see cref="ErrnoRet"/> is the errno for
/// SCMP_ACT_ERRNO (or the message for SCMP_ACT_TRACE); null means the default (EPERM).
/// </summary>
public sealed record SeccompRule(IReadOnlyList<string> Names, string Action, uint? ErrnoRet, IReadOnlyList<SeccompArg> Args);

/// <summary>
/// A seccomp profile in Docker's JSON format, compiled in the parent into the raw classic-BPF
/// program that the child installs right before execve.
/// </summary>
/// <remarks>
/// Deliberate differences from Docker, all in the direction of a tighter box:
/// <list type="bullet">
/// <item>Only the native x86-64 ABI is ever compiled in. <c>architectures</c>/<c>archMap</c> are
/// validated but not honoured: 32-bit (int 0x80, AUDIT_ARCH_I386) and x32 (nr | 0x40000000)
/// syscalls always fail with EPERM, whatever the profile says.</item>
/// <item><c>includes.caps</c> rules never apply and <c>excludes.caps</c> rules always apply, because
/// the box drops every capability before execve.</item>
/// <item><c>includes.arches</c>/<c>excludes.arches</c> are matched against "amd64" (also accepted:
/// "x86_64", "SCMP_ARCH_X86_64"). <c>minKernel</c> is compared with the running kernel.</item>
/// <item>SCMP_ACT_NOTIFY and <c>listenerPath</c> are refused: there is no supervisor listener.</item>
/// <item>Unknown fields are errors rather than being ignored, so a typo cannot widen the filter.</item>
/// </list>
/// As in Docker, names libseccomp cannot resolve for x86-64 are skipped, a rule whose action equals
/// the default action is dropped, and a rule that repeats an argument index becomes one rule per
/// condition (OR) while distinct indexes are ANDed.
/// </remarks>
public sealed class SeccompProfile
{
    private const uint MaxErrno = 4095;
    private const string NativeArchName = "amd64";

    private readonly object _compileLock = new();
    private byte[]? _bpf;

    private SeccompProfile(string defaultAction, uint? defaultErrnoRet, IReadOnlyList<string> architectures, IReadOnlyList<SeccompRule> rules)
    {
        DefaultAction = defaultAction;
        DefaultErrnoRet = defaultErrnoRet;
        Architectures = architectures;
        Rules = rules;
    }

    public string DefaultAction { get; }

    public uint? DefaultErrnoRet { get; }

    /// <summary>As written in the profile; informational only (see the remarks on the class).</summary>
    public IReadOnlyList<string> Architectures { get; }

    /// <summary>The rules that apply to this host and box, in profile order.</summary>
    public IReadOnlyList<SeccompRule> Rules { get; }

    /// <summary>How many times libseccomp actually ran for this instance; lets tests observe the cache.</summary>
    internal int CompileCount { get; private set; }

    public static SeccompProfile Load(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SeccompException($"seccomp profile '{path}' cannot be read: {e.Message}", e);
        }
        return Parse(json, path);
    }

    public static SeccompProfile Parse(string json) => Parse(json, "seccomp profile");

    /// <summary>
    /// The project's default allowlist. The copy embedded in the assembly wins, so a single-file
    /// NativeAOT binary needs nothing beside it; the file copied next to the assembly is the fallback.
    /// </summary>
    public static SeccompProfile LoadDefault() => Parse(DefaultText(), "seccomp/default.json");

    /// <summary>The text of the default profile: the embedded copy, else the file beside the assembly.</summary>
    public static string DefaultText() => System.Text.Encoding.UTF8.GetString(DefaultUtf8());

    /// <summary>
    /// <see cref="DefaultText"/> as UTF-8 bytes without a byte-order mark, read straight from
    /// the embedded copy (or the file beside the assembly).
    /// </summary>
    public static byte[] DefaultUtf8()
    {
        using var stream = typeof(SeccompProfile).Assembly.GetManifestResourceStream(DefaultResourceName);
        byte[] bytes;
        if (stream is not null)
        {
            bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
        }
        else
        {
            bytes = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "seccomp", "default.json"));
        }
        return bytes.AsSpan().StartsWith("\uFEFF"u8) ? bytes[3..] : bytes;
    }

    internal const string DefaultResourceName = "Runner.Sandbox.seccomp.default.json";

    private static SeccompProfile Parse(string json, string source)
    {
        ProfileJson? dto;
        try
        {
            dto = JsonSerializer.Deserialize(json, SeccompJsonContext.Default.ProfileJson);
        }
        catch (JsonException e)
        {
            throw new SeccompException($"{source}: invalid profile at '{e.Path ?? "$"}': {e.Message}", e);
        }
        if (dto is null)
            throw new SeccompException($"{source}: the profile is empty (expected a JSON object)");

        var defaultAction = dto.DefaultAction
            ?? throw new SeccompException($"{source}: 'defaultAction' is required");
        ActionCode(defaultAction, dto.DefaultErrnoRet, source, "defaultAction", "defaultErrnoRet");

        if (dto.ListenerPath is { Length: > 0 })
            throw new SeccompException($"{source}: 'listenerPath' is not supported: there is no seccomp notify listener");

        var architectures = dto.Architectures ?? [];
        for (var i = 0; i < architectures.Count; i++)
            if (!architectures[i].StartsWith("SCMP_ARCH_", StringComparison.Ordinal))
                throw new SeccompException($"{source}: 'architectures[{i}]' must be an SCMP_ARCH_* name, not '{architectures[i]}'");
        if (dto.ArchMap is { } archMap)
            for (var i = 0; i < archMap.Count; i++)
                if (archMap[i].Architecture is not { } a || !a.StartsWith("SCMP_ARCH_", StringComparison.Ordinal))
                    throw new SeccompException($"{source}: 'archMap[{i}].architecture' must be an SCMP_ARCH_* name");

        var rules = new List<SeccompRule>();
        var syscalls = dto.Syscalls ?? [];
        for (var i = 0; i < syscalls.Count; i++)
        {
            var s = syscalls[i];
            var at = $"syscalls[{i}]";
            var names = new List<string>();
            if (s.Name is { Length: > 0 } single) names.Add(single);
            if (s.Names is { } many) names.AddRange(many);
            if (names.Count == 0)
                throw new SeccompException($"{source}: '{at}.names' is required and must not be empty");
            for (var n = 0; n < names.Count; n++)
                if (string.IsNullOrWhiteSpace(names[n]))
                    throw new SeccompException($"{source}: '{at}.names[{n}]' is empty");
            var action = s.Action ?? throw new SeccompException($"{source}: '{at}.action' is required");
            ActionCode(action, s.ErrnoRet, source, $"{at}.action", $"{at}.errnoRet");

            var args = new List<SeccompArg>();
            var rawArgs = s.Args ?? [];
            for (var a = 0; a < rawArgs.Count; a++)
            {
                var arg = rawArgs[a];
                var argAt = $"{at}.args[{a}]";
                if (arg.Index is not { } index || index > 5)
                    throw new SeccompException($"{source}: '{argAt}.index' must be 0..5");
                var op = arg.Op ?? throw new SeccompException($"{source}: '{argAt}.op' is required");
                CompareOp(op, source, $"{argAt}.op");
                args.Add(new SeccompArg(index, arg.Value ?? 0, arg.ValueTwo ?? 0, op));
            }

            if (Applies(s, source, at))
                rules.Add(new SeccompRule(names, action, s.ErrnoRet, args));
        }

        return new SeccompProfile(defaultAction, dto.DefaultErrnoRet, architectures, rules);
    }

    private static bool Applies(SyscallJson s, string source, string at)
    {
        if (s.Includes is { } inc)
        {
            if (inc.Arches is { Count: > 0 } arches && !arches.Any(IsNativeArch)) return false;
            if (inc.Caps is { Count: > 0 }) return false;
            if (inc.MinKernel is { Length: > 0 } min && !KernelAtLeast(min, source, $"{at}.includes.minKernel")) return false;
        }
        if (s.Excludes is { } exc)
        {
            if (exc.Arches is { } arches && arches.Any(IsNativeArch)) return false;
            if (exc.MinKernel is { Length: > 0 })
                throw new SeccompException($"{source}: '{at}.excludes.minKernel' is not supported (Docker rejects it too)");
        }
        return true;
    }

    private static bool IsNativeArch(string arch) =>
        arch is NativeArchName or "x86_64" or "SCMP_ARCH_X86_64";

    private static bool KernelAtLeast(string min, string source, string field)
    {
        if (!TryParseKernelVersion(min, out var wanted))
            throw new SeccompException($"{source}: '{field}' is not a kernel version like \"5.8\": '{min}'");
        string release;
        try
        {
            release = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        }
        catch (IOException)
        {
            return false;
        }
        return TryParseKernelVersion(release, out var running) && running >= wanted;
    }

    private static bool TryParseKernelVersion(string s, out Version version)
    {
        // Releases look like "6.18.44-fc-v657"; only the numeric major.minor[.patch] prefix counts.
        var end = 0;
        while (end < s.Length && (char.IsAsciiDigit(s[end]) || s[end] == '.')) end++;
        var parts = s[..end].Split('.', StringSplitOptions.RemoveEmptyEntries);
        version = new Version(0, 0);
        if (parts.Length < 2) return false;
        version = new Version(int.Parse(parts[0]), int.Parse(parts[1]), parts.Length > 2 ? int.Parse(parts[2]) : 0);
        return true;
    }

    private static uint ActionCode(string action, uint? errnoRet, string source, string field, string errnoField)
    {
        if (errnoRet is > MaxErrno)
            throw new SeccompException($"{source}: '{errnoField}' must be 0..{MaxErrno}, not {errnoRet}");
        var ret = (ushort)(errnoRet ?? Errno.EPERM);
        return action switch
        {
            "SCMP_ACT_ALLOW" => LibSeccomp.ActAllow,
            "SCMP_ACT_ERRNO" => LibSeccomp.ActErrno(ret),
            "SCMP_ACT_KILL" or "SCMP_ACT_KILL_THREAD" => LibSeccomp.ActKillThread,
            "SCMP_ACT_KILL_PROCESS" => LibSeccomp.ActKillProcess,
            "SCMP_ACT_TRAP" => LibSeccomp.ActTrap,
            "SCMP_ACT_TRACE" => LibSeccomp.ActTrace(ret),
            "SCMP_ACT_LOG" => LibSeccomp.ActLog,
            "SCMP_ACT_NOTIFY" => throw new SeccompException($"{source}: '{field}' SCMP_ACT_NOTIFY is not supported: there is no seccomp notify listener"),
            _ => throw new SeccompException($"{source}: '{field}' has unknown action '{action}'"),
        };
    }

    private static LibSeccomp.Compare CompareOp(string op, string source, string field) => op switch
    {
        "SCMP_CMP_NE" => LibSeccomp.Compare.Ne,
        "SCMP_CMP_LT" => LibSeccomp.Compare.Lt,
        "SCMP_CMP_LE" => LibSeccomp.Compare.Le,
        "SCMP_CMP_EQ" => LibSeccomp.Compare.Eq,
        "SCMP_CMP_GE" => LibSeccomp.Compare.Ge,
        "SCMP_CMP_GT" => LibSeccomp.Compare.Gt,
        "SCMP_CMP_MASKED_EQ" => LibSeccomp.Compare.MaskedEq,
        _ => throw new SeccompException($"{source}: '{field}' has unknown comparison '{op}'"),
    };

    /// <summary>
    /// The filter as raw <c>struct sock_filter[]</c> bytes (8 bytes per instruction) for the x86-64
    /// ABI, ready for <c>seccomp(SECCOMP_SET_MODE_FILTER, …)</c>. libseccomp runs once per instance;
    /// each call returns a fresh copy so no caller can weaken the filter of later launches.
    /// </summary>
    public byte[] CompileBpf()
    {
        lock (_compileLock)
        {
            if (_bpf is null)
            {
                _bpf = Compile();
                CompileCount++;
            }
            return (byte[])_bpf.Clone();
        }
    }

    private unsafe byte[] Compile()
    {
        var defaultCode = ActionCode(DefaultAction, DefaultErrnoRet, "profile", "defaultAction", "defaultErrnoRet");
        var ctx = LibSeccomp.Init(defaultCode);
        try
        {
            if (LibSeccomp.ArchNative() != LibSeccomp.ArchX86_64)
                throw new SeccompException("seccomp profiles are compiled for x86-64 only, and this host is not x86-64");

            // Foreign ABIs (int 0x80, x32) fail like any other denied call instead of killing, so a
            // program probing for them sees EPERM, matching the default action of our profile.
            Check(LibSeccomp.AttrSet(ctx, LibSeccomp.FilterAttr.ActBadArch, LibSeccomp.ActErrno(Errno.EPERM)), "seccomp_attr_set(SCMP_FLTATR_ACT_BADARCH)");
            // The child sets NO_NEW_PRIVS itself; libseccomp must not assume it loads the filter.
            Check(LibSeccomp.AttrSet(ctx, LibSeccomp.FilterAttr.CtlNoNewPrivs, 0), "seccomp_attr_set(SCMP_FLTATR_CTL_NNP)");
            // A binary search over syscall numbers instead of a linear scan: with ~300 allowed
            // names, every syscall of the judged program would otherwise pay up to ~300 compares,
            // which shows up in measured CPU time for syscall-heavy solutions.
            Check(LibSeccomp.AttrSet(ctx, LibSeccomp.FilterAttr.CtlOptimize, 2), "seccomp_attr_set(SCMP_FLTATR_CTL_OPTIMIZE)");

            // Distinct indexes are 0..5, so no rule ever has more than six conditions.
            var cmps = stackalloc LibSeccomp.ArgCmp[6];
            for (var r = 0; r < Rules.Count; r++)
            {
                var rule = Rules[r];
                var code = ActionCode(rule.Action, rule.ErrnoRet, "profile", "action", "errnoRet");
                if (code == defaultCode) continue; // libseccomp refuses these, and they change nothing.
                var groups = ArgGroups(rule.Args);
                foreach (var name in rule.Names)
                {
                    var nr = LibSeccomp.ResolveNameArch(LibSeccomp.ArchX86_64, name);
                    if (nr < 0) continue; // Not an x86-64 syscall (or newer than libseccomp): Docker skips these too.
                    foreach (var group in groups)
                    {
                        for (var i = 0; i < group.Length; i++)
                            cmps[i] = new LibSeccomp.ArgCmp
                            {
                                Arg = group[i].Index,
                                Op = CompareOp(group[i].Op, "profile", "op"),
                                DatumA = group[i].Value,
                                DatumB = group[i].ValueTwo,
                            };
                        var rc = LibSeccomp.RuleAddArray(ctx, code, nr, (uint)group.Length, cmps);
                        if (rc < 0)
                            throw new SeccompException($"syscalls rule {r} ({name}, {rule.Action}): libseccomp rejected it: {ErrnoName.Describe(-rc)}");
                    }
                }
            }
            return Export(ctx);
        }
        finally
        {
            LibSeccomp.Release(ctx);
        }
    }

    private static List<SeccompArg[]> ArgGroups(IReadOnlyList<SeccompArg> args)
    {
        if (args.Count == 0) return [[]];
        var repeated = args.GroupBy(a => a.Index).Any(g => g.Count() > 1);
        return repeated ? args.Select(a => new[] { a }).ToList() : [args.ToArray()];
    }

    private static byte[] Export(nint ctx)
    {
        var fd = Libc.memfd_create("runner-seccomp", Libc.MfdCloexec);
        if (fd < 0)
            throw new SeccompException($"memfd_create failed: {ErrnoName.Describe(Libc.Errno)}");
        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        Check(LibSeccomp.ExportBpf(ctx, fd), "seccomp_export_bpf");
        var length = RandomAccess.GetLength(handle);
        if (length == 0 || length % 8 != 0)
            throw new SeccompException($"seccomp_export_bpf produced {length} bytes, not a whole number of 8-byte instructions");
        var bytes = new byte[length];
        var done = 0;
        while (done < bytes.Length)
        {
            var n = RandomAccess.Read(handle, bytes.AsSpan(done), done);
            if (n <= 0) throw new SeccompException("short read of the exported seccomp filter");
            done += n;
        }
        return bytes;
    }

    private static void Check(int rc, string what)
    {
        if (rc < 0) throw new SeccompException($"{what} failed: {ErrnoName.Describe(-rc)}");
    }
}
