using Npgsql;
using Runner.Api.Contracts;
using Runner.Api.Languages;

namespace Runner.Api.Tests.Infrastructure;

/// <summary>
/// Stands in for a worker that ran recently and is gone now: its record in
/// runner.worker_languages, written through the registry real workers use. Tests of an api-only
/// host with nothing draining the queue need one, or every submission is refused.
/// </summary>
public static class AbsentWorker
{
    public static async Task RecordAsync(string connectionString, HttpClient api, params string[] languages)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var registry = new PostgresWorkerLanguageRegistry(dataSource);
        await registry.RecordAsync($"absent-worker-{Guid.NewGuid():N}", languages.Select(l => new LanguageView(l, l, "test")).ToList(), TimeSpan.FromMinutes(10), CancellationToken.None);
        await WaitUntilListedAsync(api, TimeSpan.FromSeconds(10), languages);
    }

    /// <summary>Until the API lists every language (it refreshes its view of the workers every second).</summary>
    public static async Task WaitUntilListedAsync(HttpClient api, TimeSpan timeout, params string[] languages)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var listed = await (await api.GetAsync("/api/v1/languages")).Expect(200);
            if (languages.All(l => listed.EnumerateArray().Any(x => x.GetProperty("id").GetString() == l))) return;
            Assert.True(DateTime.UtcNow < deadline, $"the API never listed {string.Join(", ", languages)}: {listed}");
            await Task.Delay(100);
        }
    }
}
