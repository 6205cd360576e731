using System.Runtime.InteropServices;
using Runner.Sandbox.Seccomp;

namespace Runner.Sandbox.Native;

/// <summary>
/// The few libseccomp 2.5 entry points needed to turn a profile into classic-BPF bytes in the
/// parent. Nothing here is ever called in the child: the child only receives the exported bytes.
/// Values are checked against the C headers by a test.
/// </summary>
internal static unsafe partial class LibSeccomp
{
    public const string LibraryName = "libseccomp.so.2";

    public const uint ActKillProcess = 0x80000000;
    public const uint ActKillThread = 0x00000000;
    public const uint ActTrap = 0x00030000;
    public const uint ActErrnoBase = 0x00050000;
    public const uint ActTraceBase = 0x7ff00000;
    public const uint ActLog = 0x7ffc0000;
    public const uint ActAllow = 0x7fff0000;

    public static uint ActErrno(ushort errno) => ActErrnoBase | errno;

    public static uint ActTrace(ushort msg) => ActTraceBase | msg;

    /// <summary>The kernel's AUDIT_ARCH_* values, which libseccomp uses as its architecture tokens.</summary>
    public const uint ArchX86_64 = 0xC000003E;
    public const uint ArchI386 = 0x40000003;

    /// <summary>x86-64 marks x32 syscalls by setting this bit in the syscall number.</summary>
    public const int X32SyscallBit = 0x40000000;

    public enum FilterAttr
    {
        ActDefault = 1,
        ActBadArch = 2,
        CtlNoNewPrivs = 3,
        CtlTsync = 4,
        ApiTskip = 5,
        CtlLog = 6,
        CtlSsb = 7,
        CtlOptimize = 8,
        ApiSysRawRc = 9,
    }

    public enum Compare
    {
        Ne = 1,
        Lt = 2,
        Le = 3,
        Eq = 4,
        Ge = 5,
        Gt = 6,
        MaskedEq = 7,
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct ArgCmp
    {
        public uint Arg;
        public Compare Op;
        public ulong DatumA;
        public ulong DatumB;
    }

    [LibraryImport(LibraryName, EntryPoint = "seccomp_init")]
    private static partial nint InitRaw(uint defaultAction);

    [LibraryImport(LibraryName, EntryPoint = "seccomp_release")]
    public static partial void Release(nint ctx);

    [LibraryImport(LibraryName, EntryPoint = "seccomp_arch_native")]
    public static partial uint ArchNative();

    [LibraryImport(LibraryName, EntryPoint = "seccomp_arch_add")]
    public static partial int ArchAdd(nint ctx, uint archToken);

    [LibraryImport(LibraryName, EntryPoint = "seccomp_arch_remove")]
    public static partial int ArchRemove(nint ctx, uint archToken);

    [LibraryImport(LibraryName, EntryPoint = "seccomp_attr_set")]
    public static partial int AttrSet(nint ctx, FilterAttr attr, uint value);

    [LibraryImport(LibraryName, EntryPoint = "seccomp_syscall_resolve_name_arch", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ResolveNameArch(uint archToken, string name);

    [LibraryImport(LibraryName, EntryPoint = "seccomp_rule_add_array")]
    public static partial int RuleAddArray(nint ctx, uint action, int syscall, uint argCount, ArgCmp* args);

    [LibraryImport(LibraryName, EntryPoint = "seccomp_export_bpf")]
    public static partial int ExportBpf(nint ctx, int fd);

    private static readonly Lazy<string?> LoadError = new(() =>
        NativeLibrary.TryLoad(LibraryName, typeof(LibSeccomp).Assembly, null, out _)
            ? null
            : $"{LibraryName} could not be loaded; seccomp profiles are compiled with libseccomp: install libseccomp2 (Debian/Ubuntu: apt-get install libseccomp2)");

    /// <summary>
    /// Fails with an actionable message instead of the bare DllNotFoundException that the first
    /// generated stub would throw, so a host without libseccomp is diagnosed at the first compile.
    /// </summary>
    public static void EnsureLoaded()
    {
        if (LoadError.Value is { } message)
            throw new SeccompException(message);
    }

    /// <summary>Creates a filter context; <see cref="EnsureLoaded"/> runs first so a missing library is reported clearly.</summary>
    public static nint Init(uint defaultAction)
    {
        EnsureLoaded();
        var ctx = InitRaw(defaultAction);
        if (ctx == 0)
            throw new SeccompException($"seccomp_init(0x{defaultAction:x8}) failed: the default action is not valid");
        return ctx;
    }
}
