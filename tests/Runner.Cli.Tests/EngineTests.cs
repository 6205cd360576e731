using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json;
using Runner.Sandbox;

namespace Runner.Cli.Tests;

/// <summary>
/// <c>runner engine</c> with real boxes, and <c>runner run</c> handing its runs to it. Every
/// engine here listens on a socket of the test's own, never the default one in /run/runner.
/// </summary>
public sealed class EngineTests : IDisposable
{
    private const string CgroupParent = "runner-cli-engine-tests";
    private static readonly string Runner = Path.Combine(AppContext.BaseDirectory, "runner");
    private static readonly SandboxOptions Options = new() { CgroupParent = CgroupParent, WarmBoxes = 1 };
    // Traversable by every uid, so a test can show that the socket's own mode keeps others out.
    private readonly string _directory = Directory.CreateTempSubdirectory("runner-engine-tests-").FullName;

    public EngineTests() => File.SetUnixFileMode(_directory, (UnixFileMode)Convert.ToInt32("755", 8));

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string SocketPath => Path.Combine(_directory, "engine.sock");

    [Fact]
    public async Task Runner_run_hands_its_run_to_the_engine_named_in_RUNNER_ENGINE_and_prints_what_an_in_process_run_prints()
    {
        using var engine = await EngineProcess.StartAsync(Runner, SocketPath);
        string[] argv = [Runner, "run", "--json", "--stdin", "/etc/hostname", "--", "/bin/sh", "-c", "cat; echo out; echo err >&2; exit 3"];

        var viaEngine = await RunAsync(argv, SocketPath);
        var inProcess = await RunAsync(argv, "off");

        Assert.Equal((1, ""), (viaEngine.Exit, viaEngine.Stderr));
        Assert.Equal(inProcess.Exit, viaEngine.Exit);
        using var a = JsonDocument.Parse(viaEngine.Stdout);
        using var b = JsonDocument.Parse(inProcess.Stdout);
        foreach (var field in new[] { "status", "exit_code", "signal", "stdout", "stderr", "message" })
            Assert.Equal(b.RootElement.GetProperty(field).ToString(), a.RootElement.GetProperty(field).ToString());
        Assert.Equal($"{File.ReadAllText("/etc/hostname")}out\n", a.RootElement.GetProperty("stdout").GetString());

        // Plain output and usage errors found by the engine come back as the CLI's own.
        var plain = await RunAsync([Runner, "run", "--", "/bin/echo", "hello"], SocketPath);
        Assert.Equal((0, "hello\n"), (plain.Exit, plain.Stdout));
        Assert.StartsWith("runner: status=ok ", plain.Stderr);
        var missing = await RunAsync([Runner, "run", "--", "no-such-program-here"], SocketPath);
        Assert.Equal(2, missing.Exit);
        Assert.StartsWith("runner: PROGRAM: ", missing.Stderr);
        Assert.Equal("", missing.Stdout);
    }

    [Fact]
    public async Task A_named_engine_that_does_not_answer_is_an_error_naming_RUNNER_ENGINE_with_exit_2()
    {
        var (exit, stdout, stderr) = await RunAsync([Runner, "run", "--", "/bin/true"], SocketPath);

        Assert.Equal((2, ""), (exit, stdout));
        Assert.StartsWith($"runner: RUNNER_ENGINE: no runner engine answers on {SocketPath} (", stderr);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var relative = await RunAsync([Runner, "run", "--", "/bin/true"], "engine.sock");
        Assert.Equal(2, relative.Exit);
        Assert.StartsWith("runner: RUNNER_ENGINE: expected 'off' or the absolute path", relative.Stderr);
    }

    [Theory]
    [InlineData("--warm-boxes", "0", "runner: --warm-boxes: expected a whole number from 1 to 64, got '0'")]
    [InlineData("--warm-boxes", "65", "runner: --warm-boxes: expected a whole number from 1 to 64, got '65'")]
    [InlineData("--socket", "", "runner: --socket: expected a path")]
    [InlineData("--bogus", "1", "runner: --bogus: unknown option")]
    public void A_bad_engine_argument_exits_2_with_one_line_naming_it(string option, string value, string message)
    {
        var cli = new TestCli();

        Assert.Equal(2, cli.Run("engine", option, value));

        Assert.Equal(message + "\n", cli.Stderr);
    }

    [Fact]
    public void Without_RUNNER_ENGINE_runner_run_asks_the_engine_in_the_state_directory_and_runs_the_box_itself_when_none_answers()
    {
        var options = new SandboxOptions { StateDirectory = _directory };
        string? Unset(string _) => null;
        Assert.Null(EngineClient.Find(Unset, options));

        // Like a socket left behind by an engine that was killed: found, but nobody answers
        // (bound, never listening; .NET removes the file when it closes the socket).
        using var stale = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        stale.Bind(new UnixDomainSocketEndPoint(SocketPath));
        var found = EngineClient.Find(Unset, options);
        Assert.Equal(new EngineClient.Target(SocketPath, Required: false), found);
        Assert.Null(EngineClient.Run(found!, new SandboxSpec { Argv = ["/bin/true"] }, options, CancellationToken.None));

        Assert.Null(EngineClient.Find(name => name == EngineClient.Variable ? "off" : null, options));
    }

    [Fact]
    public void An_engine_with_other_settings_refuses_the_run_so_runner_runs_it_itself_unless_that_engine_was_named()
    {
        using var server = EngineServer.Start(SocketPath, Options);
        var spec = new SandboxSpec { Argv = ["/bin/true"] };
        var other = new SandboxOptions { CgroupParent = "runner-cli-engine-tests-other" };

        Assert.Null(EngineClient.Run(new EngineClient.Target(SocketPath, Required: false), spec, other, CancellationToken.None));
        var named = Assert.Throws<CliUsageException>(() => EngineClient.Run(new EngineClient.Target(SocketPath, Required: true), spec, other, CancellationToken.None));
        Assert.Equal(EngineClient.Variable, named.Option);
        Assert.Contains("other RUNNER_* settings", named.Message);

        var result = EngineClient.Run(new EngineClient.Target(SocketPath, Required: true), spec, Options with { WarmBoxes = 0 }, CancellationToken.None);
        Assert.Equal(SandboxStatus.Ok, result!.Status);
    }

    [Fact]
    public void A_run_from_another_mount_namespace_is_refused_since_its_paths_would_name_other_files()
    {
        using var server = EngineServer.Start(SocketPath, Options);
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        client.Connect(new UnixDomainSocketEndPoint(SocketPath));
        using var stream = new NetworkStream(client);

        EngineProtocol.WriteFrame(stream, w => EngineProtocol.WriteRequest(w, new EngineRequest(Options, new SandboxSpec { Argv = ["/bin/true"] }, "mnt:[1]")));
        using var body = EngineProtocol.ReadFrame(stream)!;
        var reply = EngineProtocol.ReadReply(body);

        Assert.Equal(EngineReplyKind.Refused, reply.Kind);
        Assert.Contains("another mount namespace", reply.Message);
    }

    [Fact]
    public void Cancelling_runner_run_stops_its_program_in_the_engine_and_the_result_still_comes_back()
    {
        var (result, took) = RunSleepCancelledAfter(TimeSpan.FromMilliseconds(300));

        Assert.True(took < TimeSpan.FromSeconds(10), $"the run took {took} after a cancel at 0.3 s");
        Assert.NotEqual(SandboxStatus.Ok, result!.Status);
        Assert.True(result.WallTime < 10, $"wall {result.WallTime}");
    }

    [Fact]
    public void A_hang_up_before_the_engine_watches_the_connection_still_stops_the_program()
    {
        // The engine starts watching for a hang-up 50 ms into a run; this CLI gives up at 5 ms.
        var (result, took) = RunSleepCancelledAfter(TimeSpan.FromMilliseconds(5));

        Assert.True(took < TimeSpan.FromSeconds(10), $"the run took {took} after a cancel at 5 ms");
        Assert.NotEqual(SandboxStatus.Ok, result!.Status);
    }

    /// <summary>A 30 s sleep handed to a fresh engine by a CLI that cancels after <paramref name="cancelAfter"/>.</summary>
    private (SandboxResult? Result, TimeSpan Took) RunSleepCancelledAfter(TimeSpan cancelAfter)
    {
        using var server = EngineServer.Start(SocketPath, Options);
        using var cancel = new CancellationTokenSource(cancelAfter);
        var clock = Stopwatch.StartNew();
        var result = EngineClient.Run(new EngineClient.Target(SocketPath, Required: true),
            new SandboxSpec { Argv = ["/bin/sleep", "30"], Limits = new SandboxLimits { CpuTimeSeconds = 30, WallTimeSeconds = 60 } },
            Options, cancel.Token);
        return (result, clock.Elapsed);
    }

    [Fact]
    public void Stopping_the_engine_drains_its_warm_boxes_and_removes_its_socket()
    {
        var server = EngineServer.Start(SocketPath, Options);
        var result = EngineClient.Run(new EngineClient.Target(SocketPath, Required: true), new SandboxSpec { Argv = ["/bin/true"] }, Options, CancellationToken.None);
        Assert.Equal(SandboxStatus.Ok, result!.Status);

        server.Dispose();

        Assert.False(File.Exists(SocketPath));
        foreach (var controller in new[] { "memory", "cpu", "cpuacct", "pids" })
        {
            var parent = Path.Combine("/sys/fs/cgroup", controller, CgroupParent);
            if (Directory.Exists(parent)) Assert.Empty(Directory.GetDirectories(parent));
        }
    }

    [Fact]
    public void An_engine_will_not_start_where_another_answers_nor_replace_a_file_that_is_not_a_socket()
    {
        using (EngineServer.Start(SocketPath, Options))
        {
            var taken = Assert.Throws<CliUsageException>(() => EngineServer.Start(SocketPath, Options));
            Assert.Contains("already listens", taken.Message);
        }
        var file = Path.Combine(_directory, "not-a-socket");
        File.WriteAllText(file, "keep me");

        var refused = Assert.Throws<CliUsageException>(() => EngineServer.Start(file, Options));

        Assert.Contains("is not a socket", refused.Message);
        Assert.Equal("keep me", File.ReadAllText(file));
    }

    [Fact]
    public async Task Only_the_engine_s_own_uid_may_use_it_even_when_its_socket_s_mode_lets_others_connect()
    {
        using var server = EngineServer.Start(SocketPath, Options);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(SocketPath));
        Assert.Contains("Permission denied", await ConnectAsNobodyAsync());

        // With the mode opened up, the peer check still refuses, before reading the request.
        File.SetUnixFileMode(SocketPath, (UnixFileMode)Convert.ToInt32("777", 8));
        Assert.Equal("refused: serves uid 0 only, not uid 65534", await ConnectAsNobodyAsync());
    }

    [Fact]
    public async Task Runner_run_will_not_hand_its_run_to_a_socket_another_uid_listens_on()
    {
        // uid 65534 listens where RUNNER_ENGINE points (and would answer whatever it liked).
        const string listener = """
            import socket, sys, time
            s = socket.socket(socket.AF_UNIX)
            s.bind(sys.argv[1]); s.listen(8)
            print("listening", flush=True)
            while True:
                c, _ = s.accept(); time.sleep(5)
            """;
        var writable = Directory.CreateDirectory(Path.Combine(_directory, "others")).FullName;
        File.SetUnixFileMode(writable, (UnixFileMode)Convert.ToInt32("777", 8));
        var socket = Path.Combine(writable, "engine.sock");
        var start = new ProcessStartInfo("setpriv") { RedirectStandardOutput = true };
        foreach (var a in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", listener, socket })
            start.ArgumentList.Add(a);
        using var other = Process.Start(start)!;
        try
        {
            Assert.Equal("listening", await other.StandardOutput.ReadLineAsync());

            var (exit, stdout, stderr) = await RunAsync([Runner, "run", "--", "/bin/true"], socket);

            Assert.Equal((2, ""), (exit, stdout));
            Assert.Equal($"runner: RUNNER_ENGINE: the socket {socket} is served by uid 65534, not by this uid (0)\n", stderr);
            var unnamed = EngineClient.Run(new EngineClient.Target(socket, Required: false), new SandboxSpec { Argv = ["/bin/true"] }, Options, CancellationToken.None);
            Assert.Null(unnamed);
        }
        finally
        {
            other.Kill();
            await other.WaitForExitAsync();
        }
    }

    /// <summary>A client as uid 65534 (python3 under setpriv) that connects and reads the engine's reply without sending anything.</summary>
    private async Task<string> ConnectAsNobodyAsync()
    {
        const string client = """
            import socket, sys
            s = socket.socket(socket.AF_UNIX)
            try:
                s.connect(sys.argv[1])
            except OSError as e:
                print(e.strerror); sys.exit()
            frame = s.makefile("rb").read()
            kind, message = frame[4], frame[6:].decode()
            print(("refused: " if kind == 2 else f"kind {kind}: ") + message.split(" engine on ")[-1].split(" ", 1)[-1])
            """;
        var start = new ProcessStartInfo("setpriv") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", client, SocketPath })
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await process.StandardError.ReadToEndAsync());
        return output.Trim();
    }

    private static Task<(int Exit, string Stdout, string Stderr)> RunAsync(IEnumerable<string> argv, string engine) =>
        ChildProcess.RunAsync(argv, new Dictionary<string, string> { ["RUNNER_CGROUP_PARENT"] = CgroupParent, [EngineClient.Variable] = engine });

    /// <summary><c>runner engine</c> as a process of its own, stopped with SIGTERM.</summary>
    private sealed class EngineProcess : IDisposable
    {
        private readonly Process _process;

        private EngineProcess(Process process) => _process = process;

        public static async Task<EngineProcess> StartAsync(string runner, string socket)
        {
            var start = new ProcessStartInfo(runner) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in new[] { "engine", "--socket", socket, "--warm-boxes", "1" }) start.ArgumentList.Add(a);
            start.Environment["RUNNER_CGROUP_PARENT"] = CgroupParent;
            var process = Process.Start(start)!;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var line = await process.StandardError.ReadLineAsync(timeout.Token);
            Assert.True(line?.StartsWith($"runner engine: listening on {socket} ") == true, line);
            return new EngineProcess(process);
        }

        public void Dispose()
        {
            Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
            if (!_process.WaitForExit(TimeSpan.FromSeconds(30))) _process.Kill();
            var rest = _process.StandardError.ReadToEnd();
            _process.Dispose();
            Assert.Contains("runner engine: stopped", rest);
        }
    }
}
