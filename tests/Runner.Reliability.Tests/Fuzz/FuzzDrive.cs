using System.Collections.Concurrent;
using Runner.Api.Tests.Infrastructure;
using Runner.Reliability.Tests.Infrastructure;

namespace Runner.Reliability.Tests.Fuzz;

/// <summary>Sends the reproductions and then generated requests to one service and reports every answer that breaks the rules.</summary>
public static class FuzzDrive
{
    public const int Generated = 2000;
    private const int Lanes = 4;
    // Generous: the largest bodies take a second or two on an idle machine, but CI shares its cores.
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(60);

    public static async Task RunAsync(ServiceProcess api, int seed)
    {
        var port = new Uri(api.Url).Port;
        await LanguagesReadyAsync(api);
        using var client = api.Client();

        // First, while the queue is empty: a program that writes NUL is judged and stored.
        var nul = await Submissions.PostAsync(client, "/api/v1/submissions", new { language = TestHosts.Python, source = "import sys\nsys.stderr.buffer.write(b'a\\x00b\\n')\nsys.stdout.buffer.write(b'1\\x00')\n" });
        var id = (await nul.Expect(202)).GetProperty("id").GetString()!;
        var done = await Submissions.WaitForStatusAsync(client, id, "finished", TimeSpan.FromSeconds(60));
        Assert.Equal("accepted", done.GetProperty("verdict").GetString());
        var problems = new ConcurrentQueue<string>();
        var unanswered = 0;

        async Task Send(FuzzCase c)
        {
            var answer = await RawHttp.SendAsync(port, c.Bytes, Hang + TimeSpan.FromSeconds(10));
            if (answer is null)
            {
                Interlocked.Increment(ref unanswered);
                return;
            }
            if (answer.Seconds > Hang.TotalSeconds) problems.Enqueue($"{c.Name}: answered after {answer.Seconds:F1} s");
            if (answer.Status is 0 or >= 500) problems.Enqueue($"{c.Name}: {answer.Head}");
            else if (answer.Status >= 400 && answer.ContentType?.StartsWith("application/problem+json", StringComparison.Ordinal) != true)
                problems.Enqueue($"{c.Name}: {answer.Status} without a problem+json body ({answer.ContentType})");
        }

        foreach (var c in RequestFuzzer.Reproductions()) await Send(c);
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Lanes).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < Generated; i = Interlocked.Increment(ref next))
                await Send(RequestFuzzer.Generate(seed, i));
        }));

        Assert.False(api.HasExited, $"the service died during the fuzz\n{api.Log}");
        Assert.True(problems.IsEmpty, $"{problems.Count} answers broke the rules (no 5xx, every 4xx problem+json, none over {Hang.TotalSeconds} s):\n{string.Join("\n", problems.Take(20))}");
        Assert.True(unanswered <= Generated / 100, $"{unanswered} requests got no answer at all");

        // Still serving afterwards (the submissions the fuzz got accepted are still queued behind one worker).
        await (await Submissions.PostAsync(client, "/api/v1/submissions", new { language = TestHosts.Python, source = "print(1)" })).Expect(202);
    }

    private static async Task LanguagesReadyAsync(ServiceProcess api)
    {
        using var client = api.Client();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(await client.GetStringAsync("/api/v1/languages")).Contains("\"python\"", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"python never became available\n{api.Log}");
            await Task.Delay(300);
        }
    }
}
