using System.Collections;
using System.Reflection;
using Runner.Sandbox;
using Runner.Sandbox.Launch;

namespace Runner.Cli.Tests;

public class EngineProtocolTests
{
    private static readonly SandboxOptions Options = new()
    {
        FirstBoxUid = 200_000,
        SlotCount = 7,
        SlotWait = TimeSpan.FromSeconds(3),
        CgroupParent = "a/b",
        CgroupRoot = "/cg",
        StateDirectory = "/state",
        Launcher = BoxLauncher.InProcess,
        WarmBoxes = 3,
    };

    private static readonly SandboxSpec Spec = new()
    {
        Argv = ["/bin/prog", "ä", ""],
        Environment = new Dictionary<string, string> { ["A"] = "1", ["B"] = "" },
        Limits = new SandboxLimits
        {
            CpuTimeSeconds = 1.5,
            WallTimeSeconds = 4.25,
            MemoryBytes = 3 << 20,
            Pids = 9,
            FileSizeBytes = 11,
            OutputBytes = 12,
            OpenFiles = 13,
            StackBytes = 1 << 17,
            TmpfsBytes = 1 << 13,
            Cpuset = "0-1",
        },
        StdinPath = "/in",
        WorkDir = "/work",
        Binds = [new BindMount("/a", "/b", true), new BindMount("/c", "/d")],
        Seccomp = "none",
        Hostname = "h",
        RootfsPath = "/rootfs",
    };

    private static readonly SandboxResult Result = new()
    {
        Status = SandboxStatus.OutputLimit,
        ExitCode = 3,
        Signal = 9,
        CpuTime = 0.5,
        UserTime = 0.25,
        SystemTime = 0.125,
        WallTime = 2,
        MemoryPeak = 1 << 20,
        OomKilled = true,
        Stdout = "out",
        Stderr = "err",
        StdoutTruncated = true,
        StderrTruncated = true,
        Message = "message",
        FailedStep = LaunchStep.MountBind,
        ProgramError = "not found",
        StdoutBytes = [1, 2, 3],
        StderrBytes = [4],
        OutputChunks = [new OutputChunk(OutputStream.Stdout, 2), new OutputChunk(OutputStream.Stderr, 1)],
        OutputChunksComplete = false,
    };

    [Fact]
    public void A_request_carries_every_setting_and_every_field_of_the_spec()
    {
        // Every value above differs from its default, so a property the wire forgot comes back
        // with its default and the comparison names it.
        var request = RoundTrip(w => EngineProtocol.WriteRequest(w, new EngineRequest(Options, Spec, "mnt:[4026531841]")), EngineProtocol.ReadRequest)!;

        AssertSameProperties(Options, request.Options);
        AssertSameProperties(Spec, request.Spec);
        Assert.Equal("mnt:[4026531841]", request.MountNamespace);
    }

    [Fact]
    public void A_reply_carries_every_public_field_of_the_result()
    {
        var reply = RoundTrip(w => EngineProtocol.WriteReply(w, new EngineReply(EngineReplyKind.Result, "", Result: Result)), EngineProtocol.ReadReply);

        Assert.Equal(EngineReplyKind.Result, reply.Kind);
        AssertSameProperties(Result, reply.Result!);
    }

    [Fact]
    public void A_reply_about_an_invalid_spec_names_the_field_and_a_request_of_another_protocol_is_recognised()
    {
        var reply = RoundTrip(w => EngineProtocol.WriteReply(w, new EngineReply(EngineReplyKind.InvalidSpec, "bad", Field: "memory")), EngineProtocol.ReadReply);
        Assert.Equal((EngineReplyKind.InvalidSpec, "bad", "memory"), (reply.Kind, reply.Message, reply.Field));

        var other = RoundTrip(w => w.Write(EngineProtocol.Protocol + 1), EngineProtocol.ReadRequest);
        Assert.Null(other);
    }

    private static T RoundTrip<T>(Action<BinaryWriter> write, Func<BinaryReader, T> read)
    {
        using var stream = new MemoryStream();
        EngineProtocol.WriteFrame(stream, write);
        stream.Position = 0;
        using var body = EngineProtocol.ReadFrame(stream)!;
        var value = read(body);
        Assert.Equal(body.BaseStream.Length, body.BaseStream.Position);
        return value;
    }

    private static void AssertSameProperties(object expected, object actual, string path = "")
    {
        foreach (var p in expected.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.GetIndexParameters().Length > 0 || !p.CanWrite) continue;
            var (e, a) = (p.GetValue(expected), p.GetValue(actual));
            var name = path + p.Name;
            if (e is SandboxLimits)
                AssertSameProperties(e, a!, name + ".");
            else if (e is IDictionary de)
                Assert.Equal(de.Keys.Cast<object>().Select(k => (k, de[k])), ((IDictionary)a!).Keys.Cast<object>().Select(k => (k, ((IDictionary)a)[k])));
            else if (e is IEnumerable ee and not string)
                Assert.True(ee.Cast<object>().SequenceEqual(((IEnumerable)a!).Cast<object>()), name);
            else
                Assert.True(Equals(e, a), $"{name}: expected {e}, got {a}");
        }
    }
}
