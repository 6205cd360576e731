using Runner.Sandbox.Seccomp;

namespace Runner.Sandbox.Tests.Seccomp;

public class SeccompProfileParsingTests
{
    private const string DockerShaped = """
    {
      "defaultAction": "SCMP_ACT_ERRNO",
      "defaultErrnoRet": 1,
      "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
      "archMap": [{ "architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"] }],
      "syscalls": [
        { "names": ["read", "write"], "action": "SCMP_ACT_ALLOW", "comment": "basic I/O" },
        { "name": "getpid", "action": "SCMP_ACT_ALLOW" },
        { "names": ["clone"], "action": "SCMP_ACT_ALLOW",
          "args": [{ "index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ" }] },
        { "names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38 },
        { "names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": { "caps": ["CAP_SYS_ADMIN"] } },
        { "names": ["arch_prctl"], "action": "SCMP_ACT_ALLOW", "includes": { "arches": ["amd64", "x32"] } },
        { "names": ["modify_ldt"], "action": "SCMP_ACT_ALLOW", "includes": { "arches": ["arm64"] } },
        { "names": ["sync"], "action": "SCMP_ACT_ALLOW", "excludes": { "arches": ["amd64"] } },
        { "names": ["chown"], "action": "SCMP_ACT_ALLOW", "excludes": { "caps": ["CAP_CHOWN"] } },
        { "names": ["membarrier"], "action": "SCMP_ACT_ALLOW", "includes": { "minKernel": "4.3" } },
        { "names": ["futex_waitv"], "action": "SCMP_ACT_ALLOW", "includes": { "minKernel": "99.0" } }
      ]
    }
    """;

    [Fact]
    public void A_Docker_shaped_profile_parses_with_its_fields()
    {
        var p = SeccompProfile.Parse(DockerShaped);

        Assert.Equal("SCMP_ACT_ERRNO", p.DefaultAction);
        Assert.Equal(1u, p.DefaultErrnoRet);
        Assert.Equal(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], p.Architectures);
        Assert.Equal(["read", "write"], p.Rules[0].Names);
        Assert.Equal(["getpid"], p.Rules[1].Names);
        var clone = p.Rules.Single(r => r.Names.Contains("clone"));
        Assert.Equal(new SeccompArg(0, 2114060288, 0, "SCMP_CMP_MASKED_EQ"), Assert.Single(clone.Args));
        Assert.Equal(38u, p.Rules.Single(r => r.Names.Contains("clone3")).ErrnoRet);
    }

    [Fact]
    public void Includes_and_excludes_are_resolved_for_a_capability_less_amd64_box()
    {
        var names = SeccompProfile.Parse(DockerShaped).Rules.SelectMany(r => r.Names).ToHashSet();

        Assert.DoesNotContain("mount", names);        // needs a capability the box never has
        Assert.Contains("arch_prctl", names);         // included for amd64
        Assert.DoesNotContain("modify_ldt", names);   // arm64 only
        Assert.DoesNotContain("sync", names);         // excluded on amd64
        Assert.Contains("chown", names);              // excluded only for holders of CAP_CHOWN
        Assert.Contains("membarrier", names);         // this kernel is newer than 4.3
        Assert.DoesNotContain("futex_waitv", names);  // no kernel is 99.0
    }

    [Theory]
    [InlineData("""{ "defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{ "names": ["read"], "action": "SCMP_ACT_ALOW" }] }""", "syscalls[0].action")]
    [InlineData("""{ "defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{ "names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{ "index": 7, "value": 0, "op": "SCMP_CMP_EQ" }] }] }""", "syscalls[0].args[0].index")]
    [InlineData("""{ "defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{ "names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{ "index": 0, "value": 0, "op": "SCMP_CMP_SIMILAR" }] }] }""", "syscalls[0].args[0].op")]
    [InlineData("""{ "defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{ "action": "SCMP_ACT_ALLOW" }] }""", "syscalls[0].names")]
    [InlineData("""{ "defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{ "names": ["read"] }] }""", "syscalls[0].action")]
    [InlineData("""{ "syscalls": [] }""", "defaultAction")]
    [InlineData("""{ "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 70000 }""", "defaultErrnoRet")]
    [InlineData("""{ "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": "one" }""", "defaultErrnoRet")]
    [InlineData("""{ "defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{ "names": ["read"], "action": "SCMP_ACT_ALLOW", "errnoret": 1, "arg": [] }] }""", "arg")]
    [InlineData("""{ "defaultAction": "SCMP_ACT_ERRNO", "architectures": ["x86_64"] }""", "architectures[0]")]
    [InlineData("""{ "defaultAction": "SCMP_ACT_NOTIFY" }""", "defaultAction")]
    [InlineData("""{ "defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{ "names": ["read"], "action": "SCMP_ACT_ALLOW", "includes": { "minKernel": "five" } }] }""", "minKernel")]
    public void A_bad_profile_is_rejected_with_an_error_naming_the_field(string json, string field)
    {
        var e = Assert.Throws<SeccompException>(() => SeccompProfile.Parse(json));
        Assert.Contains(field, e.Message);
    }

    [Fact]
    public void Malformed_JSON_is_rejected_with_the_position_of_the_problem()
    {
        var e = Assert.Throws<SeccompException>(() => SeccompProfile.Parse("""{ "defaultAction": "SCMP_ACT_ERRNO", "syscalls": [ { "names": ["read"], } """));
        Assert.Contains("syscalls", e.Message);
    }

    [Fact]
    public void Loading_a_missing_file_names_the_path()
    {
        var e = Assert.Throws<SeccompException>(() => SeccompProfile.Load("/nonexistent/runner/profile.json"));
        Assert.Contains("/nonexistent/runner/profile.json", e.Message);
    }

    [Fact]
    public void The_default_profile_is_embedded_and_matches_the_file_in_the_repository()
    {
        using var stream = typeof(SeccompProfile).Assembly.GetManifestResourceStream(SeccompProfile.DefaultResourceName);
        Assert.NotNull(stream);
        var embedded = new StreamReader(stream).ReadToEnd();
        var copied = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "seccomp", "default.json"));
        Assert.Equal(copied, embedded);

        var p = SeccompProfile.LoadDefault();
        Assert.Equal("SCMP_ACT_ERRNO", p.DefaultAction);
        Assert.Equal(1u, p.DefaultErrnoRet);
    }
}
