namespace Runner.Api.Hosting;

/// <summary>The "Runner" configuration section. README.md#configuration lists every key.</summary>
public sealed class RunnerOptions
{
    public const string Section = "Runner";

    /// <summary>"api", "worker" or "api,worker" (default).</summary>
    public string Roles { get; set; } = "api,worker";

    /// <summary>Accepted X-Api-Key values; empty means the API is open (and the log says so).</summary>
    public List<string> ApiKeys { get; set; } = [];

    public QueueOptions Queue { get; set; } = new();
    public DatabaseOptions Database { get; set; } = new();
    public LimitOptions Limits { get; set; } = new();
    public CallbackOptions Callbacks { get; set; } = new();
    public WorkerLanguageOptions Languages { get; set; } = new();
    public RetentionOptions Retention { get; set; } = new();

    /// <summary>Hosts (exact, case-insensitive) that callback_url may point at.</summary>
    public List<string> CallbackAllowedHosts { get; set; } = [];

    /// <summary>Longest a ?wait=true request is held before it answers 202.</summary>
    public double WaitTimeoutSeconds { get; set; } = 30;

    /// <summary>Cgroup parent for boxes (see SandboxOptions.CgroupParent).</summary>
    public string CgroupParent { get; set; } = "runner";

    /// <summary>
    /// Boxes kept prepared ahead (SandboxOptions.WarmBoxes), so a test's program does not wait
    /// for its box's set-up. -1 (default): one per judge worker in a process with the worker
    /// role, none in an api-only one; 0 turns the pool off; at most 64.
    /// </summary>
    public int WarmBoxes { get; set; } = -1;

    /// <summary>The pool size <see cref="WarmBoxes"/> resolves to in a process with these roles.</summary>
    public int ResolveWarmBoxes(RunnerRoles roles) =>
        WarmBoxes >= 0 ? WarmBoxes : roles.Worker ? Math.Min(Runs.WorkerCount.Resolve(this), 64) : 0;

    /// <summary>Directory under which run box directories are created.</summary>
    public string? WorkRoot { get; set; }
}

public sealed class QueueOptions
{
    /// <summary>Jobs judged at once by this process; 0 means one per core.</summary>
    public int Workers { get; set; }

    /// <summary>Unfinished submissions above which POST answers 503.</summary>
    public int MaxPending { get; set; } = 10_000;

    /// <summary>
    /// /runs held at once by this process, waiting or running; above it POST /runs answers 503
    /// before reading the body. 0 means twice the workers.
    /// </summary>
    public int MaxPendingRuns { get; set; }

    /// <summary>Seconds a client is told to wait after a 503.</summary>
    public int RetryAfterSeconds { get; set; } = 5;

    /// <summary>
    /// A fetched job stays invisible to other workers this long past its worker's last
    /// keep-alive (sent every fifth of it while the job runs), so a live long job is never
    /// handed out twice and a dead worker's job is fetched again this long after it died.
    /// </summary>
    public double InvisibilityTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// A worker's claim on a submission lasts this long past its last heartbeat (sent every
    /// quarter of it); after a crash another worker may take the submission over once it expires.
    /// </summary>
    public double LeaseSeconds { get; set; } = 30;

    /// <summary>
    /// Fresh jobs wake an idle worker at once (LISTEN/NOTIFY long polling); this poll only finds
    /// jobs that became visible again after a worker crashed.
    /// </summary>
    public double PollIntervalSeconds { get; set; } = 5;

    /// <summary>
    /// In a process with both roles, a new submission goes straight to an idle judge worker of
    /// this process (claimed in the store, judged, stored), with no Hangfire job unless none is
    /// idle or the hand-off fails; false sends every submission through Hangfire.
    /// </summary>
    public bool HandOff { get; set; } = true;

    /// <summary>
    /// With every judge worker of the process busy, a new submission waits in this process for
    /// the first to become idle, at most this long (and at most 16 per worker); then it gets a
    /// Hangfire job, which any worker process may take.
    /// </summary>
    public double HandOffWaitSeconds { get; set; } = 1;
}

/// <summary>Defaults and server maxima for submission limits.</summary>
public sealed class LimitOptions
{
    public double DefaultTime { get; set; } = 2;
    public double MaxTime { get; set; } = 20;
    public double MaxWallTime { get; set; } = 60;
    public long DefaultMemory { get; set; } = 256L << 20;
    public long MaxMemory { get; set; } = 2L << 30;
    public int DefaultPids { get; set; } = 64;
    public int MaxPids { get; set; } = 512;
    public long DefaultOutput { get; set; } = 1L << 20;
    public long MaxOutput { get; set; } = 64L << 20;
    public int MaxSourceBytes { get; set; } = 256 << 10;
    public int MaxTests { get; set; } = 200;
    public long MaxTestsBytes { get; set; } = 32L << 20;
    public int MaxBatch { get; set; } = 50;
    public long MaxRunFilesBytes { get; set; } = 16L << 20;
    public long MaxCopyOutBytes { get; set; } = 8L << 20;
    /// <summary>Entries in one /runs' copy_out (after removing duplicates).</summary>
    public int MaxCopyOutFiles { get; set; } = 64;
    /// <summary>Bytes of all copy_out files of one /runs answer; files past it come back with an error instead.</summary>
    public long MaxCopyOutTotalBytes { get; set; } = 32L << 20;
    /// <summary>Files in one /runs request.</summary>
    public int MaxRunFiles { get; set; } = 1000;
    /// <summary>Steps in one /runs request.</summary>
    public int MaxRunSteps { get; set; } = 20;

    /// <summary>Longest a submission can take: every test at the wall maximum, plus compile.</summary>
    public TimeSpan LongestJob => TimeSpan.FromSeconds(MaxWallTime * (MaxTests + 2) + 60);
}

/// <summary>
/// Connections one process may open to PostgreSQL. A process opens at most
/// <see cref="PoolSize"/> + <see cref="QueuePoolSize"/> (the API's listener for finished
/// submissions holds one of the first), so processes × that must stay below the server's
/// max_connections.
/// </summary>
public sealed class DatabaseOptions
{
    /// <summary>Submission store pool (requests, claims, progress, results).</summary>
    public int PoolSize { get; set; } = 20;

    /// <summary>Hangfire's pool; 0 sizes it to the judge workers plus what Hangfire's own processes need.</summary>
    public int QueuePoolSize { get; set; }

    /// <summary>Seconds a request waits for a free pooled connection before it is answered 503.</summary>
    public int PoolTimeoutSeconds { get; set; } = 30;
}

public sealed class CallbackOptions
{
    /// <summary>HMAC-SHA256 key for X-Runner-Signature; callbacks are unsigned (and logged so) when empty.</summary>
    public string? Secret { get; set; }
    public int Attempts { get; set; } = 5;
    public double FirstBackoffSeconds { get; set; } = 1;
    public double TimeoutSeconds { get; set; } = 10;
}

/// <summary>How workers tell API hosts what they can judge (runner.worker_languages).</summary>
public sealed class WorkerLanguageOptions
{
    /// <summary>How often a worker renews its record.</summary>
    public double HeartbeatSeconds { get; set; } = 15;

    /// <summary>A record counts this long after its last renewal, so a restarting worker does not turn submissions away.</summary>
    public double ExpirySeconds { get; set; } = 60;
}

/// <summary>How long finished submissions are kept.</summary>
public sealed class RetentionOptions
{
    /// <summary>Finished submissions are deleted this long after they finished; 0 keeps them forever.</summary>
    public double FinishedDays { get; set; } = 7;

    /// <summary>The in-memory store keeps at most this many finished submissions, dropping the oldest first.</summary>
    public int MaxInMemoryFinished { get; set; } = 10_000;
}
