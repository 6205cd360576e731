using Runner.Sandbox.Native;
using Runner.Sandbox.Seccomp;

namespace Runner.Sandbox.Tests.Seccomp;

public class SeccompCompileTests
{
    [Fact]
    public void The_default_profile_compiles_to_whole_sock_filter_instructions()
    {
        var bpf = SeccompProfile.LoadDefault().CompileBpf();

        Assert.NotEmpty(bpf);
        Assert.Equal(0, bpf.Length % 8);
        Assert.True(bpf.Length / 8 <= 4096, "the kernel refuses programs longer than BPF_MAXINSNS");
    }

    [Fact]
    public void Compiling_is_done_once_per_profile_and_callers_get_private_copies()
    {
        var p = SeccompProfile.LoadDefault();
        var first = p.CompileBpf();
        first[0] ^= 0xff;
        var second = p.CompileBpf();

        Assert.Equal(1, p.CompileCount);
        Assert.NotEqual(first[0], second[0]);
        Assert.Equal(SeccompFilter.Default.Bpf, second);
    }

    [Fact]
    public void Concurrent_first_compiles_still_run_libseccomp_once()
    {
        var p = SeccompProfile.LoadDefault();
        Parallel.For(0, 16, _ => p.CompileBpf());
        Assert.Equal(1, p.CompileCount);
    }

    [Fact]
    public void Unknown_syscall_names_are_skipped_as_Docker_does()
    {
        var p = SeccompProfile.Parse("""
            { "defaultAction": "SCMP_ACT_ERRNO",
              "syscalls": [{ "names": ["no_such_syscall", "socketcall", "getpid"], "action": "SCMP_ACT_ALLOW" }] }
            """);
        var f = new SeccompFilter(p.CompileBpf());
        Assert.Equal(SeccompFilter.Allow, f.Eval("getpid"));
        Assert.Equal(SeccompFilter.Eperm, f.Eval("getppid"));
    }

    [Fact]
    public void A_rule_with_the_default_action_is_dropped_instead_of_failing()
    {
        var p = SeccompProfile.Parse("""
            { "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
              "syscalls": [{ "names": ["reboot"], "action": "SCMP_ACT_ERRNO" },
                           { "names": ["getpid"], "action": "SCMP_ACT_ALLOW" }] }
            """);
        var f = new SeccompFilter(p.CompileBpf());
        Assert.Equal(SeccompFilter.Eperm, f.Eval("reboot"));
    }

    [Fact]
    public void Distinct_argument_indexes_are_ANDed_and_a_repeated_index_becomes_alternatives()
    {
        var p = SeccompProfile.Parse("""
            { "defaultAction": "SCMP_ACT_ERRNO",
              "syscalls": [
                { "names": ["socket"], "action": "SCMP_ACT_ALLOW",
                  "args": [{ "index": 0, "value": 2, "op": "SCMP_CMP_EQ" }, { "index": 1, "value": 1, "op": "SCMP_CMP_EQ" }] },
                { "names": ["personality"], "action": "SCMP_ACT_ALLOW",
                  "args": [{ "index": 0, "value": 0, "op": "SCMP_CMP_EQ" }, { "index": 0, "value": 8, "op": "SCMP_CMP_EQ" }] }
              ] }
            """);
        var f = new SeccompFilter(p.CompileBpf());

        Assert.Equal(SeccompFilter.Allow, f.Eval("socket", 2, 1));
        Assert.Equal(SeccompFilter.Eperm, f.Eval("socket", 2, 2));
        Assert.Equal(SeccompFilter.Eperm, f.Eval("socket", 10, 1));
        Assert.Equal(SeccompFilter.Allow, f.Eval("personality", 0));
        Assert.Equal(SeccompFilter.Allow, f.Eval("personality", 8));
        Assert.Equal(SeccompFilter.Eperm, f.Eval("personality", 9));
    }

    [Fact]
    public void Other_default_actions_and_errno_values_reach_the_filter()
    {
        var p = SeccompProfile.Parse("""
            { "defaultAction": "SCMP_ACT_KILL_PROCESS",
              "syscalls": [{ "names": ["getpid"], "action": "SCMP_ACT_ALLOW" },
                           { "names": ["open"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13 },
                           { "names": ["getppid"], "action": "SCMP_ACT_TRAP" }] }
            """);
        var f = new SeccompFilter(p.CompileBpf());

        Assert.Equal(SeccompFilter.Allow, f.Eval("getpid"));
        Assert.Equal(0x00050000u | 13, f.Eval("open"));
        Assert.Equal(0x00030000u, f.Eval("getppid"));
        Assert.Equal(0x80000000u, f.Eval("reboot"));
    }

    [Fact]
    public void A_rule_libseccomp_rejects_fails_the_compile_with_the_syscall_named()
    {
        var p = SeccompProfile.Parse("""
            { "defaultAction": "SCMP_ACT_ERRNO",
              "syscalls": [{ "names": ["getpid"], "action": "SCMP_ACT_KILL_PROCESS", "args": [{ "index": 0, "value": 1, "op": "SCMP_CMP_EQ" }] },
                           { "names": ["getpid"], "action": "SCMP_ACT_ALLOW", "args": [{ "index": 0, "value": 1, "op": "SCMP_CMP_EQ" }] }] }
            """);
        var e = Assert.Throws<SeccompException>(() => p.CompileBpf());
        Assert.Contains("getpid", e.Message);
    }

    [Fact]
    public void Foreign_ABIs_stay_denied_even_when_the_profile_lists_them()
    {
        var p = SeccompProfile.Parse("""
            { "defaultAction": "SCMP_ACT_ERRNO",
              "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
              "syscalls": [{ "names": ["getpid", "read"], "action": "SCMP_ACT_ALLOW" }] }
            """);
        var f = new SeccompFilter(p.CompileBpf());

        Assert.Equal(SeccompFilter.Allow, f.Eval("getpid"));
        Assert.Equal(SeccompFilter.Eperm, f.Eval(20, SeccompFilter.I386));
        Assert.Equal(SeccompFilter.Eperm, f.Eval(0x40000000 | 39, SeccompFilter.X86_64));
    }

    [Fact]
    public void The_filter_answers_the_same_for_every_syscall_number_whatever_the_search_order()
    {
        // The compiled filter is a binary search; check it against a plain reading of the rules
        // for every number, so a mis-ordered tree cannot hide an allowed or denied syscall.
        var plain = SeccompProfile.LoadDefault().Rules
            .Where(r => r.Args.Count == 0 && r.Action is "SCMP_ACT_ALLOW" or "SCMP_ACT_ERRNO")
            .SelectMany(r => r.Names.Select(n => (
                Nr: LibSeccomp.ResolveNameArch(LibSeccomp.ArchX86_64, n),
                Answer: r.Action == "SCMP_ACT_ALLOW" ? SeccompFilter.Allow : 0x00050000u | (r.ErrnoRet ?? 1))))
            .Where(p => p.Nr >= 0)
            .ToDictionary(p => p.Nr, p => p.Answer);
        var special = new[] { "clone", "clone3", "personality", "socket" }.Select(SeccompFilter.Nr).ToHashSet();

        for (var nr = 0; nr < 1024; nr++)
        {
            if (special.Contains(nr)) continue;
            var expected = plain.GetValueOrDefault(nr, SeccompFilter.Eperm);
            Assert.True(expected == SeccompFilter.Default.Eval(nr, SeccompFilter.X86_64), $"syscall {nr}");
        }
    }
}
