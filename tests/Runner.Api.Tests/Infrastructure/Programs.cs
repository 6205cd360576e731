using System.Text.Json;

namespace Runner.Api.Tests.Infrastructure;

public static class Programs
{
    /// <summary>Echoes stdin: accepted whenever expected output equals the input.</summary>
    public const string EchoPython = "import sys\nsys.stdout.write(sys.stdin.read())\n";

    /// <summary>Sleeps (no CPU) before echoing, so a test can observe it running or kill its worker.</summary>
    public static string SlowEchoPython(double seconds) =>
        $"# slow\nimport sys, time\ntime.sleep({seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)})\nsys.stdout.write(sys.stdin.read())\n";

    public static async Task<JsonElement> PollUntilFinishedAsync(HttpClient client, string id, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        JsonElement last = default;
        while (DateTime.UtcNow < deadline)
        {
            last = await (await client.GetAsync($"/api/v1/submissions/{id}")).Expect(200);
            if (last.GetProperty("status").GetString() == "finished") return last;
            await Task.Delay(100);
        }
        throw new TimeoutException($"submission {id} not finished within {timeout}; last: {last}");
    }
}
