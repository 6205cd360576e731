using System.Diagnostics;
using Runner.Sandbox;

// In-process launch cost: Box.Run of /bin/true, RUNS times after a warm-up, sleeping GAP_MS
// (untimed) before each run, as a judge or service launches; one line of JSON with the
// median and p90 in milliseconds (bench/fastpath.py reads it).
//   Runner.Bench RUNS [GAP_MS]
var runs = args.Length > 0 ? int.Parse(args[0]) : 200;
var gap = TimeSpan.FromMilliseconds(args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 0);
var spec = new SandboxSpec { Argv = ["/bin/true"] };
var options = new SandboxOptions { CgroupParent = "runner-bench" };
for (var i = 0; i < 10; i++) Check(Box.Run(spec, options));

var samples = new double[runs];
for (var i = 0; i < runs; i++)
{
    if (gap > TimeSpan.Zero) Thread.Sleep(gap);
    var clock = Stopwatch.StartNew();
    Check(Box.Run(spec, options));
    samples[i] = clock.Elapsed.TotalMilliseconds;
}
Array.Sort(samples);
Console.WriteLine($"{{\"runs\":{runs},\"median_ms\":{samples[runs / 2]:0.000},\"p90_ms\":{samples[runs * 9 / 10]:0.000},\"min_ms\":{samples[0]:0.000}}}");

static void Check(SandboxResult r)
{
    if (r.Status != SandboxStatus.Ok) throw new InvalidOperationException(r.Message);
}
