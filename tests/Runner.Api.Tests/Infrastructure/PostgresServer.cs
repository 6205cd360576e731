using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Testcontainers.PostgreSql;

namespace Runner.Api.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL for one test class, found in this order: Testcontainers when a Docker
/// engine answers; otherwise a throwaway cluster started from the installed server binaries
/// (initdb + pg_ctl, random port, sockets in a temp dir); otherwise RUNNER_TEST_POSTGRES;
/// otherwise a failure that says what to install. Always stopped in DisposeAsync.
/// </summary>
public class PostgresServer : IAsyncLifetime
{
    private PostgreSqlContainer? _container;
    private string? _clusterDir;
    private string? _pgBin;
    private int _databaseCounter;
    private string _serverOptions = "";

    /// <summary>Connection string to the server's maintenance database.</summary>
    public string AdminConnectionString { get; private set; } = "";

    public string Source { get; private set; } = "";

    /// <summary>The throwaway cluster's max_connections; a subclass lowers it to test connection budgets.</summary>
    protected virtual int MaxConnections => 300;

    /// <summary>
    /// pg_ctl restart -m fast on the throwaway cluster: every connection is terminated
    /// (57P01), and the server refuses new ones until it is back, as in a real restart.
    /// </summary>
    public async Task RestartAsync()
    {
        await PgCtlAsync("-m", "fast", "-w", "-t", "60", "restart");
    }

    /// <summary>pg_ctl stop -m fast: the server is down until <see cref="StartAgainAsync"/>.</summary>
    public Task StopAsync() => PgCtlAsync("-m", "fast", "-w", "stop");

    /// <summary>Starts a stopped throwaway cluster again, on the same port with the same settings.</summary>
    public Task StartAgainAsync() => PgCtlAsync("-w", "-t", "60", "-o", _serverOptions, "start");

    private Task PgCtlAsync(params string[] args)
    {
        if (_clusterDir is null || _pgBin is null) throw new InvalidOperationException($"only the throwaway cluster can be stopped and started, not {Source}");
        return RunAsPostgresAsync(Path.Combine(_pgBin, "pg_ctl"), ["-D", Path.Combine(_clusterDir, "data"), "-l", Path.Combine(_clusterDir, "server.log"), .. args]);
    }

    /// <summary>Server connections open right now, whoever holds them.</summary>
    public async Task<long> ConnectionCountAsync()
    {
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(AdminConnectionString) { Pooling = false }.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'", conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    public virtual async Task InitializeAsync()
    {
        if (await DockerAnswersAsync())
        {
            _container = new PostgreSqlBuilder("postgres:16-alpine").Build();
            await _container.StartAsync();
            AdminConnectionString = _container.GetConnectionString();
            Source = "testcontainers";
            return;
        }
        if (FindServerBinaries() is { } bin)
        {
            _pgBin = bin;
            await StartThrowawayClusterAsync(bin);
            Source = "throwaway cluster from " + bin;
            return;
        }
        if (Environment.GetEnvironmentVariable("RUNNER_TEST_POSTGRES") is { Length: > 0 } env)
        {
            AdminConnectionString = env;
            Source = "RUNNER_TEST_POSTGRES";
            return;
        }
        throw new InvalidOperationException(
            "These tests need PostgreSQL: start a Docker engine (Testcontainers), or install the server binaries " +
            "(apt-get install postgresql, which provides /usr/lib/postgresql/*/bin/initdb), or set RUNNER_TEST_POSTGRES " +
            "to a connection string of a server the tests may create databases on.");
    }

    /// <summary>A fresh, empty database on this server; each host under test gets its own unless it shares on purpose.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"runner_test_{Environment.ProcessId}_{Interlocked.Increment(ref _databaseCounter)}_{Guid.NewGuid().ToString("N")[..6]}";
        await using (var conn = new NpgsqlConnection(AdminConnectionString))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }

    public virtual async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_container is not null) await _container.DisposeAsync();
        if (_clusterDir is not null && _pgBin is not null)
        {
            await RunAsPostgresAsync(Path.Combine(_pgBin, "pg_ctl"), ["-D", Path.Combine(_clusterDir, "data"), "-m", "immediate", "-w", "stop"], allowFailure: true);
            try
            {
                Directory.Delete(_clusterDir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>No engine here is the common case, so the probe is a socket check, not a Testcontainers timeout.</summary>
    private static async Task<bool> DockerAnswersAsync()
    {
        var host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        var socketPath = host is { Length: > 0 } && host.StartsWith("unix://", StringComparison.Ordinal) ? host["unix://".Length..] : "/var/run/docker.sock";
        if (host is { Length: > 0 } && !host.StartsWith("unix://", StringComparison.Ordinal)) return true;
        if (!File.Exists(socketPath)) return false;
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cts.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    private static string? FindServerBinaries() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "initdb")) && File.Exists(Path.Combine(b, "pg_ctl")))
                .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;

    private async Task StartThrowawayClusterAsync(string bin)
    {
        _clusterDir = Directory.CreateTempSubdirectory("runner-pg-").FullName;
        var data = Path.Combine(_clusterDir, "data");
        var sockets = Path.Combine(_clusterDir, "sockets");
        Directory.CreateDirectory(data);
        Directory.CreateDirectory(sockets);
        // initdb refuses to run as root: the cluster belongs to the postgres user.
        File.SetUnixFileMode(_clusterDir, (UnixFileMode)0b111_101_101);
        if (Environment.UserName == "root")
        {
            await RunAsync("chown", ["-R", "postgres:postgres", _clusterDir]);
        }
        File.SetUnixFileMode(data, (UnixFileMode)0b111_000_000);
        await RunAsPostgresAsync(Path.Combine(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "runner", "--no-sync", "-E", "UTF8"]);
        var port = FreePort();
        _serverOptions = $"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections={MaxConnections}";
        await RunAsPostgresAsync(Path.Combine(bin, "pg_ctl"),
        [
            "-D", data, "-l", Path.Combine(_clusterDir, "server.log"), "-w", "-t", "60",
            "-o", _serverOptions,
            "start",
        ]);
        AdminConnectionString = $"Host=127.0.0.1;Port={port};Username=runner;Database=postgres;Maximum Pool Size=50";
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static Task RunAsPostgresAsync(string program, string[] args, bool allowFailure = false) =>
        Environment.UserName == "root"
            ? RunAsync("setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", program, .. args], allowFailure)
            : RunAsync(program, args, allowFailure);

    private static async Task RunAsync(string program, string[] args, bool allowFailure = false)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/" };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0 && !allowFailure)
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({p.ExitCode}): {await stderr}{await stdout}");
    }
}
