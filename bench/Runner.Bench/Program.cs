using System.Diagnostics;
using System.Globalization;
using Runner.Sandbox;

// Launch cost of a box running /bin/true, N times after a warm-up; one line of JSON with
// medians in milliseconds (bench/engine.sh reads it).
//   Runner.Bench [RUNS]                          in-process engine as the service uses it (cold, runner-launcher)
//   Runner.Bench launch MODE [RUNS] [GAP_SECONDS]
//     MODE: cold (runner-launcher, the default), inprocess (cloned from this process),
//           warm (a WarmPool of one box, refilled between runs)
//     GAP_SECONDS: pause between runs (0.2 is how a judge or service launches; 0: back-to-back)
//   Fields: median_ms/p90_ms/min_ms (whole Box.Run), exec_median_ms (from the call to the
//   program's execve), cpu_median_ms (the CPU time reported for /bin/true).
var mode = args.Length > 0 && args[0] == "launch" ? (args.Length > 1 ? args[1] : "cold") : "cold";
var rest = args.Length > 0 && args[0] == "launch" ? args.Skip(2).ToArray() : args;
var runs = rest.Length > 0 ? int.Parse(rest[0], CultureInfo.InvariantCulture) : 200;
var gap = rest.Length > 1 ? TimeSpan.FromSeconds(double.Parse(rest[1], CultureInfo.InvariantCulture)) : TimeSpan.Zero;

var spec = new SandboxSpec { Argv = ["/bin/true"] };
var options = new SandboxOptions
{
    CgroupParent = "runner-bench",
    Launcher = mode == "inprocess" ? BoxLauncher.InProcess : BoxLauncher.Process,
};
using var pool = mode == "warm" ? new WarmPool(options, 1) : null;
if (mode is not ("cold" or "inprocess" or "warm")) throw new ArgumentException($"unknown mode '{mode}'");

SandboxResult Run()
{
    // A warm launch is measured with a box ready, as the pool keeps one between programs.
    if (pool is not null && !pool.WaitUntilReady(1, TimeSpan.FromSeconds(30)))
        throw new InvalidOperationException($"the warm pool did not fill: {pool.LastError}");
    return pool?.Run(spec) ?? Box.Run(spec, options);
}

for (var i = 0; i < 10; i++) Check(Run());

var whole = new double[runs];
var exec = new double[runs];
var cpu = new double[runs];
for (var i = 0; i < runs; i++)
{
    if (gap > TimeSpan.Zero) Thread.Sleep(gap);
    else if (pool is not null) pool.WaitUntilReady(1, TimeSpan.FromSeconds(30));
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
var warmRuns = pool is null ? "" : $",\"warm_runs\":{pool.WarmRuns},\"cold_runs\":{pool.ColdRuns}";
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{{\"mode\":\"{mode}\",\"runs\":{runs},\"gap_s\":{gap.TotalSeconds},\"median_ms\":{whole[runs / 2]:0.000},\"p90_ms\":{whole[runs * 9 / 10]:0.000},\"min_ms\":{whole[0]:0.000},\"exec_median_ms\":{exec[runs / 2]:0.000},\"cpu_median_ms\":{cpu[runs / 2]:0.000}{warmRuns}}}"));

static void Check(SandboxResult r)
{
    if (r.Status != SandboxStatus.Ok) throw new InvalidOperationException(r.Message);
}
