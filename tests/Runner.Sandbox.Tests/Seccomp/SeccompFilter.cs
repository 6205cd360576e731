using Runner.Sandbox.Native;
using Runner.Sandbox.Seccomp;

namespace Runner.Sandbox.Tests.Seccomp;

/// <summary>Asks a compiled filter (through <see cref="BpfInterpreter"/>) what it answers for a call.</summary>
public sealed class SeccompFilter(byte[] bpf)
{
    public const uint Allow = 0x7fff0000;
    public const uint Eperm = 0x00050000 | 1;
    public const uint Enosys = 0x00050000 | 38;
    public const uint X86_64 = 0xC000003E;
    public const uint I386 = 0x40000003;

    private static readonly Lazy<SeccompFilter> DefaultFilter = new(() => new(SeccompProfile.LoadDefault().CompileBpf()));

    public static SeccompFilter Default => DefaultFilter.Value;

    public byte[] Bpf { get; } = bpf;

    public static int Nr(string name)
    {
        var nr = LibSeccomp.ResolveNameArch(LibSeccomp.ArchX86_64, name);
        Assert.True(nr >= 0, $"libseccomp does not know the x86-64 syscall {name}");
        return nr;
    }

    public uint Eval(string name, ulong a0 = 0, ulong a1 = 0, ulong a2 = 0) =>
        BpfInterpreter.Run(Bpf, new SeccompData(Nr(name), X86_64, 0, a0, a1, a2));

    public uint Eval(int nr, uint arch, ulong a0 = 0) => BpfInterpreter.Run(Bpf, new SeccompData(nr, arch, 0, a0));
}
