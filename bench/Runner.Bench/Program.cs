using System.Diagnostics;
using System.Globalization;
using Runner.Sandbox;

// Engine launch cost: Box.Run of /bin/true, RUNS times after an untimed warm-up, sleeping GAP_MS
// (untimed) before each run, as a judge or service launches; one line of JSON in milliseconds
// (bench/fastpath.py reads it).
//   Runner.Bench RUNS [GAP_MS] [--warm | --inprocess]
//     default      a cold box cloned from runner-launcher (what Box.Run does by default)
//     --inprocess  a cold box cloned from this .NET process (SandboxOptions.Launcher = InProcess)
//     --warm       a box from a WarmPool of one, refilled (untimed) between runs
//   Fields: median_ms/p90_ms/min_ms (the whole Box.Run), exec_median_ms/exec_min_ms (from the call
//   to the program's execve: the moment the box's init resumed from its fork, when the execve had
//   passed the point of no return), cpu_median_ms (the cpu_time reported for /bin/true), warm_runs/cold_runs.
var flags = args.Where(a => a.StartsWith("--", StringComparison.Ordinal)).ToHashSet();
var numbers = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
var runs = numbers.Length > 0 ? int.Parse(numbers[0], CultureInfo.InvariantCulture) : 200;
var gap = TimeSpan.FromMilliseconds(numbers.Length > 1 ? double.Parse(numbers[1], CultureInfo.InvariantCulture) : 0);
var warm = flags.Contains("--warm");
var spec = new SandboxSpec { Argv = ["/bin/true"] };
var options = new SandboxOptions
{
    CgroupParent = "runner-bench",
    Launcher = flags.Contains("--inprocess") ? BoxLauncher.InProcess : BoxLauncher.Process,
};
using var pool = warm ? new WarmPool(options, 1) : null;

SandboxResult Run() => pool?.Run(spec) ?? Box.Run(spec, options);

void Ready()
{
    // A warm launch is measured with a box ready, as the pool keeps one between programs.
    if (pool is not null && !pool.WaitUntilReady(1, TimeSpan.FromSeconds(30)))
        throw new InvalidOperationException($"the warm pool did not fill: {pool.LastError}");
}

// Warm-up: past the JIT's call-count threshold (30 calls), then a pause in which the methods are
// recompiled optimised in the background, as they long have been in a service that has run for a
// while. With 10 warm-up runs, a short run (bench/fastpath.py splits its runs into rounds) timed
// tier-0 code and came out 10-40 % slower.
for (var i = 0; i < 40; i++)
{
    Ready();
    Check(Run());
}
Thread.Sleep(300);
for (var i = 0; i < 5; i++)
{
    Ready();
    Check(Run());
}

var whole = new double[runs];
var exec = new double[runs];
var cpu = new double[runs];
for (var i = 0; i < runs; i++)
{
    if (gap > TimeSpan.Zero) Thread.Sleep(gap);
    Ready();
    var start = Stopwatch.GetTimestamp();
    var r = Run();
    whole[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    Check(r);
    exec[i] = Stopwatch.GetElapsedTime(start, r.ExecTimestamp).TotalMilliseconds;
    cpu[i] = r.CpuTime * 1000;
}
Array.Sort(whole);
Array.Sort(exec);
Array.Sort(cpu);
var pooled = pool is null ? "" : $",\"warm_runs\":{pool.WarmRuns},\"cold_runs\":{pool.ColdRuns}";
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{{\"runs\":{runs},\"median_ms\":{whole[runs / 2]:0.000},\"p90_ms\":{whole[runs * 9 / 10]:0.000},\"min_ms\":{whole[0]:0.000},\"exec_median_ms\":{exec[runs / 2]:0.000},\"exec_min_ms\":{exec[0]:0.000},\"cpu_median_ms\":{cpu[runs / 2]:0.000}{pooled}}}"));

static void Check(SandboxResult r)
{
    if (r.Status != SandboxStatus.Ok) throw new InvalidOperationException(r.Message);
}
