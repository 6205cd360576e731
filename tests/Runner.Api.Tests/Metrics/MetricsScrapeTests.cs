using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Runner.Api.Tests.Infrastructure;

namespace Runner.Api.Tests.Metrics;

/// <summary>
/// What an operator's Prometheus sees: an API host and a separate worker host, each a real
/// process on one database, each exporting its own families at /metrics after judging one
/// submission of every outcome, read with a strict text-format parser.
/// </summary>
[Collection("Service")]
public sealed class MetricsScrapeTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private const string Broken = "broken";

    [Fact]
    public async Task An_api_host_and_a_separate_worker_host_each_export_their_own_families_with_the_right_counts()
    {
        var db = await postgres.CreateDatabaseAsync();
        // A language whose program the box cannot execute: a judge's own definition, so an
        // internal_error naming the launch step (execve), the one fault a test can cause at will.
        using var scratch = new TempDirectory("runner-metrics-languages-");
        var languages = Path.Combine(scratch.Path, "languages.json");
        await File.WriteAllTextAsync(languages, """
            {"languages": [{"id": "broken", "name": "Broken", "source_file": "main.txt", "version": ["true"], "run": ["/nonexistent/runner-metrics-probe"]}]}
            """);
        File.SetUnixFileMode(Path.GetDirectoryName(languages)!, (UnixFileMode)0x1ed);
        var workerPort = FreePort();
        using var worker = new WorkerProcess(db, new Dictionary<string, string>
        {
            ["Runner:Metrics:Port"] = workerPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RUNNER_LANGUAGES"] = languages,
        });
        using var api = new ApiProcess(db);
        var client = await api.ClientAsync(TimeSpan.FromSeconds(60));
        await AbsentWorker.WaitUntilListedAsync(client, TimeSpan.FromSeconds(120), TestHosts.Python, "c", Broken);

        var expected = new (string Language, string Source, object? Limits, string Verdict)[]
        {
            (TestHosts.Python, Programs.EchoPython, null, "accepted"),
            (TestHosts.Python, "while True:\n    pass\n", new { time = 0.5, wall_time = 10 }, "time_limit_exceeded"),
            (TestHosts.Python, "s = 'x' * (400 << 20)\nprint(len(s))\n", new { memory = 64L << 20 }, "memory_limit_exceeded"),
            ("c", "int main( { return 0; }\n", null, "compilation_error"),
            (Broken, "anything", null, "internal_error"),
        };
        var ids = new List<string>();
        foreach (var (language, source, limits, _) in expected)
        {
            object body = limits is null
                ? new { language, source, stdin = "7", expected_output = "7" }
                : new { language, source, stdin = "7", expected_output = "7", limits };
            ids.Add((await (await client.PostJson("/api/v1/submissions", body)).Expect(202)).GetProperty("id").GetString()!);
        }
        await (await client.PostJson("/api/v1/submissions", new { language = TestHosts.Python, source = "x", stdn = "typo" })).Expect(400);
        foreach (var (id, want) in ids.Zip(expected))
        {
            var done = await Programs.PollUntilFinishedAsync(client, id, TimeSpan.FromSeconds(120));
            Assert.True(done.GetProperty("verdict").GetString() == want.Verdict, $"{want.Language} expected {want.Verdict}: {done}\n{worker.Log}");
        }

        var apiMetrics = await ScrapeAsync(client, "/metrics");
        Assert.Equal(3, Value(apiMetrics, "runner_submissions_received_total", ("language", "python")));
        Assert.Equal(1, Value(apiMetrics, "runner_submissions_received_total", ("language", "c")));
        Assert.Equal(1, Value(apiMetrics, "runner_submissions_received_total", ("language", Broken)));
        Assert.Equal(1, Value(apiMetrics, "runner_submissions_rejected_total", ("reason", "invalid")));
        Assert.Equal(0, Value(apiMetrics, "runner_queue_depth", ("status", "queued")));
        Assert.Equal(0, Value(apiMetrics, "runner_queue_depth", ("status", "running")));
        Assert.Equal(1, Value(apiMetrics, "runner_workers_alive"));
        var heartbeat = Assert.Single(apiMetrics["runner_worker_heartbeat_age_seconds"].Samples);
        Assert.InRange(heartbeat.Value, 0, 60);
        Assert.Equal("gauge", apiMetrics["runner_worker_heartbeat_age_seconds"].Type);
        var http = apiMetrics["http_server_request_duration_seconds"];
        Assert.Equal("histogram", http.Type);
        Assert.Equal(5, Value(apiMetrics, "http_server_request_duration_seconds", "_count", ("http_request_method", "POST"), ("http_route", "/api/v1/submissions/"), ("http_response_status_code", "202")));
        Assert.Equal(1, Value(apiMetrics, "http_server_request_duration_seconds", "_count", ("http_request_method", "POST"), ("http_route", "/api/v1/submissions/"), ("http_response_status_code", "400")));
        // Each process exports what it does: the api-only host ran no box and judged nothing.
        Assert.False(apiMetrics.ContainsKey("runner_box_launches_total"));
        Assert.False(apiMetrics.ContainsKey("runner_submissions_finished_total"));

        using var scraper = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{workerPort}") };
        var w = await ScrapeAsync(scraper, "/metrics");
        Assert.Equal("counter", w["runner_submissions_finished_total"].Type);
        foreach (var (language, _, _, verdict) in expected)
            Assert.Equal(1, Value(w, "runner_submissions_finished_total", ("verdict", verdict), ("language", language)));
        Assert.Equal(expected.Length, w["runner_submissions_finished_total"].Samples.Sum(s => s.Value));
        Assert.Equal("histogram", w["runner_judge_duration_seconds"].Type);
        Assert.Equal(3, Value(w, "runner_judge_duration_seconds", "_count", ("language", "python")));
        Assert.Equal(1, Value(w, "runner_judge_duration_seconds", "_count", ("language", "c")));
        Assert.Equal(expected.Length, Value(w, "runner_queue_wait_seconds", "_count"));
        // The loop is killed for CPU time, or, on a host too loaded to give it 0.5 s of CPU in 10 s, for wall time.
        var timeLimited = w["runner_box_launches_total"].Samples.Where(s => s.Has(("status", "time_limit")) || s.Has(("status", "wall_time_limit"))).ToList();
        Assert.Equal(1, Assert.Single(timeLimited).Value);
        var limit = timeLimited[0].Labels["status"] == "time_limit" ? "cpu" : "wall";
        Assert.Equal(1, Value(w, "runner_box_launches_total", ("status", "memory_limit")));
        Assert.Equal(1, Value(w, "runner_box_launches_total", ("status", "internal_error")));
        Assert.Equal(1, Value(w, "runner_box_oom_kills_total"));
        Assert.Equal(1, Value(w, "runner_box_time_limit_kills_total", ("limit", limit)));
        Assert.Equal(1, w["runner_box_time_limit_kills_total"].Samples.Sum(s => s.Value));
        Assert.Equal(1, Value(w, "runner_box_internal_errors_total", ("step", "execve")));
        // Every launch here got as far as the go byte, so each has a latency.
        Assert.Equal(w["runner_box_launches_total"].Samples.Sum(s => s.Value), Value(w, "runner_box_launch_duration_seconds", "_count"));
        Assert.Equal(0, Value(w, "runner_boxes_running"));
        Assert.Equal(Environment.ProcessorCount, Value(w, "runner_box_slots"));
        // Other tests on this host may hold slots right now; the exact count is SlotOccupancyTests' job.
        Assert.InRange(Value(w, "runner_box_slots_free"), 0, Environment.ProcessorCount);
        Assert.False(w.ContainsKey("runner_submissions_received_total"));
    }

    [Fact]
    public async Task Metrics_are_closed_to_clients_outside_the_allowed_networks_unless_they_send_the_metrics_key()
    {
        // No API keys: the API is open, and that opens nothing for /metrics.
        using var api = new ApiProcess(await postgres.CreateDatabaseAsync(), settings: new Dictionary<string, string>
        {
            ["Runner:Metrics:AllowedNetworks:0"] = "127.0.0.2/32",
            ["Runner:Metrics:Key"] = "scrape-key-1",
        });
        var fromLoopback = await api.ClientAsync(TimeSpan.FromSeconds(60));
        var refused = await fromLoopback.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Runner:Metrics:AllowedNetworks", await refused.Content.ReadAsStringAsync());

        using var wrongKey = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "scrape-key-2") } };
        Assert.Equal(HttpStatusCode.Forbidden, (await fromLoopback.SendAsync(wrongKey)).StatusCode);
        using var withKey = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "scrape-key-1") } };
        var keyed = await fromLoopback.SendAsync(withKey);
        Assert.Equal(HttpStatusCode.OK, keyed.StatusCode);
        Assert.True(PrometheusText.Parse(await keyed.Content.ReadAsStringAsync()).ContainsKey("http_server_request_duration_seconds"));

        // From an address of the allowed network, no key is needed.
        using var fromAllowed = new HttpClient(new SocketsHttpHandler { ConnectCallback = ConnectFrom(IPAddress.Parse("127.0.0.2")) }) { BaseAddress = api.Url };
        var allowed = await fromAllowed.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.StartsWith("text/plain", allowed.Content.Headers.ContentType?.ToString());
    }

    private static async Task<IReadOnlyDictionary<string, PrometheusFamily>> ScrapeAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: HTTP {(int)response.StatusCode}: {text}");
        return PrometheusText.Parse(text);
    }

    private static double Value(IReadOnlyDictionary<string, PrometheusFamily> families, string family, params (string, string)[] labels) =>
        Value(families, family, "", labels);

    /// <summary>The one sample of <paramref name="family"/> named family+suffix with these labels (others may be present).</summary>
    private static double Value(IReadOnlyDictionary<string, PrometheusFamily> families, string family, string suffix, params (string, string)[] labels)
    {
        Assert.True(families.TryGetValue(family, out var f), $"no family {family}; families: {string.Join(", ", families.Keys.Order())}");
        var matches = f.Samples.Where(s => s.Name == family + suffix && s.Has(labels)).ToList();
        Assert.True(matches.Count == 1, $"{family}{suffix} with {string.Join(",", labels)}: {matches.Count} samples among {string.Join("; ", f.Samples.Select(s => s.Name + "{" + string.Join(",", s.Labels) + "} " + s.Value))}");
        return matches[0].Value;
    }

    private static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> ConnectFrom(IPAddress source) => async (context, ct) =>
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(source, 0));
            await socket.ConnectAsync(context.DnsEndPoint, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    };

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private sealed class TempDirectory(string prefix) : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
