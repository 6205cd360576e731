using System.Buffers.Binary;
using Runner.Sandbox;
using Runner.Sandbox.Launch;

namespace Runner.Cli;

/// <summary>
/// What <c>runner run</c> and <c>runner engine</c> say to each other on the engine's Unix socket:
/// one request and one reply per connection, each a 4-byte little-endian length and a body in
/// <see cref="BinaryWriter"/>'s encoding. Not JSON: building System.Text.Json's metadata for
/// these types cost the CLI 2 ms of CPU per run (perf), more than the warm box saves. Both ends
/// must be the same build: a request starts with <see cref="Protocol"/>, which changes whenever
/// a field is added here (EngineProtocolTests fails until every property is carried).
/// </summary>
internal static class EngineProtocol
{
    /// <summary>The socket's name in the state directory, where <c>runner run</c> looks for an engine.</summary>
    public const string SocketName = "engine.sock";

    /// <summary>Where an engine listens, and <c>runner run</c> looks for one, unless told otherwise.</summary>
    public static string DefaultSocket(SandboxOptions options) => Path.Combine(Box.StateDirectoryOf(options), SocketName);

    public const int Protocol = 1;

    // A result carries at most two capped output streams, twice (bytes and text); a request, a
    // spec. Anything larger is not from a runner of this build.
    private const int MaxFrame = 256 << 20;

    public static void WriteFrame(Stream stream, Action<BinaryWriter> body)
    {
        using var buffer = new MemoryStream();
        buffer.Write(stackalloc byte[4]);
        using (var writer = new BinaryWriter(buffer, CliMain.Utf8, leaveOpen: true))
            body(writer);
        var frame = buffer.GetBuffer().AsSpan(0, (int)buffer.Length);
        BinaryPrimitives.WriteInt32LittleEndian(frame, frame.Length - 4);
        stream.Write(frame);
        stream.Flush();
    }

    /// <summary>The next frame's body, or null when the other end closed before one began.</summary>
    public static BinaryReader? ReadFrame(Stream stream)
    {
        Span<byte> header = stackalloc byte[4];
        var got = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (got == 0) return null;
        if (got < header.Length) throw new EndOfStreamException("the other end closed the connection in the middle of a frame");
        var length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length is < 0 or > MaxFrame)
            throw new InvalidDataException($"a frame of {length} bytes is not from a runner of this build");
        var body = new byte[length];
        stream.ReadExactly(body);
        return new BinaryReader(new MemoryStream(body), CliMain.Utf8);
    }

    public static void WriteRequest(BinaryWriter w, EngineRequest request)
    {
        var (options, spec) = (request.Options, request.Spec);
        w.Write(Protocol);
        w.Write(request.MountNamespace);
        w.Write(options.FirstBoxUid);
        w.Write(options.SlotCount);
        w.Write(options.SlotWait.Ticks);
        w.Write(options.CgroupParent);
        w.Write(options.CgroupRoot);
        WriteOptional(w, options.StateDirectory);
        w.Write((int)options.Launcher);
        w.Write(options.WarmBoxes);

        w.Write(spec.Argv.Count);
        foreach (var a in spec.Argv) w.Write(a);
        w.Write(spec.Environment.Count);
        foreach (var (k, v) in spec.Environment)
        {
            w.Write(k);
            w.Write(v);
        }
        var l = spec.Limits;
        w.Write(l.CpuTimeSeconds);
        WriteOptional(w, l.WallTimeSeconds);
        w.Write(l.MemoryBytes);
        w.Write(l.Pids);
        w.Write(l.FileSizeBytes);
        w.Write(l.OutputBytes);
        w.Write(l.OpenFiles);
        WriteOptional(w, l.StackBytes);
        w.Write(l.TmpfsBytes);
        WriteOptional(w, l.Cpuset);
        WriteOptional(w, spec.StdinPath);
        WriteOptional(w, spec.WorkDir);
        w.Write(spec.Binds.Count);
        foreach (var b in spec.Binds)
        {
            w.Write(b.Source);
            w.Write(b.Target);
            w.Write(b.Writable);
        }
        w.Write(spec.Seccomp);
        w.Write(spec.Hostname);
        WriteOptional(w, spec.RootfsPath);
    }

    /// <summary>Null when the request is of another protocol.</summary>
    public static EngineRequest? ReadRequest(BinaryReader r)
    {
        if (r.ReadInt32() != Protocol) return null;
        var mountNamespace = r.ReadString();
        var options = new SandboxOptions
        {
            FirstBoxUid = r.ReadInt32(),
            SlotCount = r.ReadInt32(),
            SlotWait = TimeSpan.FromTicks(r.ReadInt64()),
            CgroupParent = r.ReadString(),
            CgroupRoot = r.ReadString(),
            StateDirectory = ReadOptionalString(r),
            Launcher = (BoxLauncher)r.ReadInt32(),
            WarmBoxes = r.ReadInt32(),
        };
        var argv = new string[Count(r)];
        for (var i = 0; i < argv.Length; i++) argv[i] = r.ReadString();
        var environment = new Dictionary<string, string>();
        for (var i = Count(r); i > 0; i--) environment[r.ReadString()] = r.ReadString();
        var limits = new SandboxLimits
        {
            CpuTimeSeconds = r.ReadDouble(),
            WallTimeSeconds = r.ReadBoolean() ? r.ReadDouble() : null,
            MemoryBytes = r.ReadInt64(),
            Pids = r.ReadInt32(),
            FileSizeBytes = r.ReadInt64(),
            OutputBytes = r.ReadInt64(),
            OpenFiles = r.ReadInt32(),
            StackBytes = r.ReadBoolean() ? r.ReadInt64() : null,
            TmpfsBytes = r.ReadInt64(),
            Cpuset = ReadOptionalString(r),
        };
        var stdin = ReadOptionalString(r);
        var workDir = ReadOptionalString(r);
        var binds = new BindMount[Count(r)];
        for (var i = 0; i < binds.Length; i++) binds[i] = new BindMount(r.ReadString(), r.ReadString(), r.ReadBoolean());
        var spec = new SandboxSpec
        {
            Argv = argv,
            Environment = environment,
            Limits = limits,
            StdinPath = stdin,
            WorkDir = workDir,
            Binds = binds,
            Seccomp = r.ReadString(),
            Hostname = r.ReadString(),
            RootfsPath = ReadOptionalString(r),
        };
        return new EngineRequest(options, spec, mountNamespace);
    }

    public static void WriteReply(BinaryWriter w, EngineReply reply)
    {
        w.Write((byte)reply.Kind);
        w.Write(reply.Message);
        if (reply.Kind == EngineReplyKind.InvalidSpec) w.Write(reply.Field ?? "");
        if (reply.Kind != EngineReplyKind.Result) return;
        var r = reply.Result!;
        w.Write((int)r.Status);
        WriteOptional(w, r.ExitCode);
        WriteOptional(w, r.Signal);
        w.Write(r.CpuTime);
        w.Write(r.UserTime);
        w.Write(r.SystemTime);
        w.Write(r.WallTime);
        WriteOptional(w, r.MemoryPeak);
        w.Write(r.OomKilled);
        w.Write(r.Stdout);
        w.Write(r.Stderr);
        w.Write(r.StdoutTruncated);
        w.Write(r.StderrTruncated);
        w.Write(r.Message);
        WriteOptional(w, r.FailedStep is { } step ? (int)step : null);
        WriteOptional(w, r.ProgramError);
        WriteBytes(w, r.StdoutBytes);
        WriteBytes(w, r.StderrBytes);
        w.Write(r.OutputChunks.Count);
        foreach (var c in r.OutputChunks)
        {
            w.Write((byte)c.Stream);
            w.Write(c.Length);
        }
        w.Write(r.OutputChunksComplete);
    }

    public static EngineReply ReadReply(BinaryReader r)
    {
        var kind = (EngineReplyKind)r.ReadByte();
        var message = r.ReadString();
        if (kind == EngineReplyKind.InvalidSpec) return new EngineReply(kind, message, Field: r.ReadString());
        if (kind != EngineReplyKind.Result) return new EngineReply(kind, message);
        var result = new SandboxResult
        {
            Status = (SandboxStatus)r.ReadInt32(),
            ExitCode = ReadOptionalInt(r),
            Signal = ReadOptionalInt(r),
            CpuTime = r.ReadDouble(),
            UserTime = r.ReadDouble(),
            SystemTime = r.ReadDouble(),
            WallTime = r.ReadDouble(),
            MemoryPeak = r.ReadBoolean() ? r.ReadInt64() : null,
            OomKilled = r.ReadBoolean(),
            Stdout = r.ReadString(),
            Stderr = r.ReadString(),
            StdoutTruncated = r.ReadBoolean(),
            StderrTruncated = r.ReadBoolean(),
            Message = r.ReadString(),
            FailedStep = ReadOptionalInt(r) is { } step ? (LaunchStep)step : null,
            ProgramError = ReadOptionalString(r),
            StdoutBytes = r.ReadBytes(Count(r)),
            StderrBytes = r.ReadBytes(Count(r)),
        };
        var chunks = new OutputChunk[Count(r)];
        for (var i = 0; i < chunks.Length; i++) chunks[i] = new OutputChunk((OutputStream)r.ReadByte(), r.ReadInt32());
        return new EngineReply(kind, message, Result: result with { OutputChunks = chunks, OutputChunksComplete = r.ReadBoolean() });
    }

    private static int Count(BinaryReader r)
    {
        var n = r.ReadInt32();
        return n >= 0 ? n : throw new InvalidDataException($"a count of {n} is not from a runner of this build");
    }

    private static void WriteBytes(BinaryWriter w, byte[] bytes)
    {
        w.Write(bytes.Length);
        w.Write(bytes);
    }

    private static void WriteOptional(BinaryWriter w, string? value)
    {
        w.Write(value is not null);
        if (value is not null) w.Write(value);
    }

    private static void WriteOptional(BinaryWriter w, int? value)
    {
        w.Write(value.HasValue);
        if (value is { } v) w.Write(v);
    }

    private static void WriteOptional(BinaryWriter w, long? value)
    {
        w.Write(value.HasValue);
        if (value is { } v) w.Write(v);
    }

    private static void WriteOptional(BinaryWriter w, double? value)
    {
        w.Write(value.HasValue);
        if (value is { } v) w.Write(v);
    }

    private static string? ReadOptionalString(BinaryReader r) => r.ReadBoolean() ? r.ReadString() : null;

    private static int? ReadOptionalInt(BinaryReader r) => r.ReadBoolean() ? r.ReadInt32() : null;
}

/// <param name="Options">The host-wide settings the CLI read from its environment; the engine runs only with its own.</param>
/// <param name="MountNamespace">The CLI's (the link /proc/self/ns/mnt names): its paths name the same files only in the same one.</param>
internal sealed record EngineRequest(SandboxOptions Options, SandboxSpec Spec, string MountNamespace)
{
    public static string MountNamespaceOfThisProcess() => new FileInfo("/proc/self/ns/mnt").LinkTarget ?? "";
}

internal enum EngineReplyKind : byte
{
    Result,
    /// <summary>The spec was invalid: <see cref="EngineReply.Field"/> and the message, as <see cref="SandboxSpecException"/> had them.</summary>
    InvalidSpec,
    /// <summary>The engine cannot take this run (another protocol, other settings); the message says why.</summary>
    Refused,
    /// <summary>The engine stopped, or the CLI hung up, before the run started.</summary>
    Interrupted,
}

internal sealed record EngineReply(EngineReplyKind Kind, string Message, string? Field = null, SandboxResult? Result = null);
