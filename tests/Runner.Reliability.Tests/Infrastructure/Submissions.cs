using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Runner.Api.Tests.Infrastructure;

namespace Runner.Reliability.Tests.Infrastructure;

public static class Submissions
{
    /// <summary>Sleeps without using CPU, then echoes stdin: a job that is visibly running for a while.</summary>
    public static object Sleeping(double seconds, string stdin = "z") => new
    {
        language = TestHosts.Python,
        source = Programs.SlowEchoPython(seconds),
        limits = new { wall_time = seconds + 30 },
        stdin,
        expected_output = stdin,
    };

    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string url, object body, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body, options: RunnerHost.Json) };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await client.SendAsync(request);
    }

    public static async Task<JsonElement> WaitForStatusAsync(HttpClient client, string id, string status, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        JsonElement last = default;
        while (DateTime.UtcNow < deadline)
        {
            last = await (await client.GetAsync($"/api/v1/submissions/{id}")).Expect(200);
            if (last.GetProperty("status").GetString() == status) return last;
            await Task.Delay(200);
        }
        throw new TimeoutException($"submission {id} not {status} within {timeout}; last: {last}");
    }

    public static async Task<long> ScalarAsync(string connectionString, string sql, params object[] args)
    {
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var a in args) cmd.Parameters.Add(new() { Value = a });
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
