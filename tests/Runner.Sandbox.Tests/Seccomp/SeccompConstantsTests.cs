using System.Runtime.InteropServices;
using Runner.Sandbox.Native;
using Runner.Sandbox.Seccomp;

namespace Runner.Sandbox.Tests.Seccomp;

public class SeccompConstantsTests
{
    [Fact]
    public void The_constants_used_in_CSharp_match_the_C_headers()
    {
        var (code, stdout, stderr) = NativeHelpers.Run(NativeHelpers.ConstantsPath, [], TimeSpan.FromSeconds(30));
        Assert.True(code == 0, stderr);
        var c = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(l => l[..l.LastIndexOf(' ')], l => ulong.Parse(l[(l.LastIndexOf(' ') + 1)..]));

        var ours = new Dictionary<string, ulong>
        {
            ["SCMP_ACT_KILL_PROCESS"] = LibSeccomp.ActKillProcess,
            ["SCMP_ACT_KILL_THREAD"] = LibSeccomp.ActKillThread,
            ["SCMP_ACT_TRAP"] = LibSeccomp.ActTrap,
            ["SCMP_ACT_ERRNO(0)"] = LibSeccomp.ActErrno(0),
            ["SCMP_ACT_ERRNO(1)"] = LibSeccomp.ActErrno(1),
            ["SCMP_ACT_TRACE(0)"] = LibSeccomp.ActTrace(0),
            ["SCMP_ACT_LOG"] = LibSeccomp.ActLog,
            ["SCMP_ACT_ALLOW"] = LibSeccomp.ActAllow,
            ["SCMP_ARCH_X86_64"] = LibSeccomp.ArchX86_64,
            ["AUDIT_ARCH_X86_64"] = LibSeccomp.ArchX86_64,
            ["SCMP_ARCH_X86"] = LibSeccomp.ArchI386,
            ["AUDIT_ARCH_I386"] = LibSeccomp.ArchI386,
            ["__X32_SYSCALL_BIT"] = LibSeccomp.X32SyscallBit,
            ["SCMP_FLTATR_ACT_DEFAULT"] = (ulong)LibSeccomp.FilterAttr.ActDefault,
            ["SCMP_FLTATR_ACT_BADARCH"] = (ulong)LibSeccomp.FilterAttr.ActBadArch,
            ["SCMP_FLTATR_CTL_NNP"] = (ulong)LibSeccomp.FilterAttr.CtlNoNewPrivs,
            ["SCMP_FLTATR_CTL_TSYNC"] = (ulong)LibSeccomp.FilterAttr.CtlTsync,
            ["SCMP_FLTATR_API_TSKIP"] = (ulong)LibSeccomp.FilterAttr.ApiTskip,
            ["SCMP_FLTATR_CTL_LOG"] = (ulong)LibSeccomp.FilterAttr.CtlLog,
            ["SCMP_FLTATR_CTL_SSB"] = (ulong)LibSeccomp.FilterAttr.CtlSsb,
            ["SCMP_FLTATR_CTL_OPTIMIZE"] = (ulong)LibSeccomp.FilterAttr.CtlOptimize,
            ["SCMP_FLTATR_API_SYSRAWRC"] = (ulong)LibSeccomp.FilterAttr.ApiSysRawRc,
            ["SCMP_CMP_NE"] = (ulong)LibSeccomp.Compare.Ne,
            ["SCMP_CMP_LT"] = (ulong)LibSeccomp.Compare.Lt,
            ["SCMP_CMP_LE"] = (ulong)LibSeccomp.Compare.Le,
            ["SCMP_CMP_EQ"] = (ulong)LibSeccomp.Compare.Eq,
            ["SCMP_CMP_GE"] = (ulong)LibSeccomp.Compare.Ge,
            ["SCMP_CMP_GT"] = (ulong)LibSeccomp.Compare.Gt,
            ["SCMP_CMP_MASKED_EQ"] = (ulong)LibSeccomp.Compare.MaskedEq,
            ["sizeof(struct scmp_arg_cmp)"] = (ulong)Marshal.SizeOf<LibSeccomp.ArgCmp>(),
            ["offsetof(scmp_arg_cmp, arg)"] = (ulong)Marshal.OffsetOf<LibSeccomp.ArgCmp>(nameof(LibSeccomp.ArgCmp.Arg)),
            ["offsetof(scmp_arg_cmp, op)"] = (ulong)Marshal.OffsetOf<LibSeccomp.ArgCmp>(nameof(LibSeccomp.ArgCmp.Op)),
            ["offsetof(scmp_arg_cmp, datum_a)"] = (ulong)Marshal.OffsetOf<LibSeccomp.ArgCmp>(nameof(LibSeccomp.ArgCmp.DatumA)),
            ["offsetof(scmp_arg_cmp, datum_b)"] = (ulong)Marshal.OffsetOf<LibSeccomp.ArgCmp>(nameof(LibSeccomp.ArgCmp.DatumB)),
            // Values the tests themselves rely on when reading filter results.
            ["SECCOMP_RET_ALLOW"] = SeccompFilter.Allow,
            ["SECCOMP_RET_ERRNO"] = SeccompFilter.Eperm & 0xffff0000,
            ["SECCOMP_RET_KILL_PROCESS"] = LibSeccomp.ActKillProcess,
            ["CLONE_NEW_MASK"] = 0x7E020000,
        };

        foreach (var (name, value) in ours)
        {
            Assert.True(c.ContainsKey(name), $"the C program does not print {name}");
            Assert.True(c[name] == value, $"{name}: C# has 0x{value:x}, the headers say 0x{c[name]:x}");
        }
    }

    [Fact]
    public void The_default_profile_masks_clone_with_every_CLONE_NEW_flag()
    {
        var clone = Runner.Sandbox.Seccomp.SeccompProfile.LoadDefault().Rules.Single(r => r.Names.Contains("clone"));
        var arg = Assert.Single(clone.Args);
        Assert.Equal(("SCMP_CMP_MASKED_EQ", 0x7E020000UL, 0UL), (arg.Op, arg.Value, arg.ValueTwo));
    }
}
