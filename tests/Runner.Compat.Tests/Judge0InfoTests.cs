using System.Text.Json;
using Runner.Compat.Tests.Infrastructure;

namespace Runner.Compat.Tests;

/// <summary>Judge0's read-only endpoints, CORS, authentication and the full queue.</summary>
[Collection("Compat")]
public sealed class Judge0InfoTests(CompatFixture fixture)
{
    private readonly HttpClient _client = fixture.Host.Client();

    [Fact]
    public async Task Languages_list_judge0_ids_sorted_by_name_with_the_detected_versions()
    {
        var (_, list) = await _client.GetJsonAsync("/languages");
        var items = list.EnumerateArray().Select(l => (Id: l.GetProperty("id").GetInt32(), Name: l.GetProperty("name").GetString()!)).ToList();
        Assert.All(list.EnumerateArray(), l => Assert.Equal(["id", "name"], l.EnumerateObject().Select(p => p.Name)));
        Assert.Equal(items.Select(i => i.Name).Order(StringComparer.Ordinal), items.Select(i => i.Name));
        Assert.Contains(items, i => i.Id == 71 && System.Text.RegularExpressions.Regex.IsMatch(i.Name, @"^Python \(3\.\d+\.\d+\)$"));
        Assert.Contains(items, i => i.Id == 50 && i.Name.StartsWith("C (GCC ", StringComparison.Ordinal));
        Assert.Contains(items, i => i.Id == 52);
        Assert.Contains(items, i => i.Id == 54);
        Assert.DoesNotContain(items, i => i.Id is 48 or 49 or 53 or 70);

        var (_, all) = await _client.GetJsonAsync("/languages/all");
        Assert.Contains(all.EnumerateArray(), l => l.GetProperty("id").GetInt32() == 48 && !l.GetProperty("is_archived").GetBoolean());
        var (ok, c) = await _client.GetJsonAsync("/languages/50");
        Assert.Equal(200, ok);
        Assert.Equal("main.c", c.GetProperty("source_file").GetString());
        Assert.Contains("%s main.c", c.GetProperty("compile_cmd").GetString());
        var (_, py) = await _client.GetJsonAsync("/languages/71");
        Assert.Equal(JsonValueKind.Null, py.GetProperty("compile_cmd").ValueKind);
        Assert.Equal(404, (int)(await _client.GetAsync("/languages/70")).StatusCode);
    }

    [Fact]
    public async Task Statuses_about_version_config_info_and_workers_have_judge0s_shapes()
    {
        var (_, statuses) = await _client.GetJsonAsync("/statuses");
        Assert.Equal(14, statuses.GetArrayLength());
        Assert.Equal("Runtime Error (NZEC)", statuses[10].GetProperty("description").GetString());

        var (_, about) = await _client.GetJsonAsync("/about");
        Assert.Equal("1.13.1", about.GetProperty("version").GetString());
        foreach (var key in new[] { "homepage", "source_code", "maintainer" }) Assert.Equal(JsonValueKind.String, about.GetProperty(key).ValueKind);
        Assert.Equal("1.13.1", await _client.GetStringAsync("/version"));

        var (_, config) = await _client.GetJsonAsync("/config_info");
        Assert.Equal(39, config.EnumerateObject().Count());
        Assert.False(config.GetProperty("allow_enable_network").GetBoolean());
        Assert.False(config.GetProperty("enable_additional_files").GetBoolean());
        Assert.Equal(20, config.GetProperty("max_submission_batch_size").GetInt32());
        Assert.Equal(JsonValueKind.Array, config.GetProperty("allowed_languages_for_compile_options").ValueKind);

        var (_, workers) = await _client.GetJsonAsync("/workers");
        var w = workers[0];
        Assert.Equal(["queue", "size", "available", "idle", "working", "paused", "failed"], w.EnumerateObject().Select(p => p.Name));
        Assert.True(w.GetProperty("available").GetInt32() >= 1);
        Assert.Equal(200, (int)(await _client.GetAsync("/isolate")).StatusCode);
        Assert.Equal(200, (int)(await _client.GetAsync("/license")).StatusCode);
        Assert.Equal(200, (int)(await _client.GetAsync("/system_info")).StatusCode);
        Assert.Equal(403, (int)(await _client.GetAsync("/submissions")).StatusCode);
    }

    [Fact]
    public async Task Browsers_get_cors_on_answers_and_preflights()
    {
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/submissions");
        preflight.Headers.Add("Origin", "https://ide.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type,x-auth-token");
        var r = await _client.SendAsync(preflight);
        Assert.True(r.IsSuccessStatusCode);
        Assert.Equal("*", r.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("x-auth-token", r.Headers.GetValues("Access-Control-Allow-Headers").Single());
        var get = await _client.GetAsync("/statuses");
        Assert.Equal("*", get.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task With_api_keys_judge0_needs_x_auth_token_and_a_full_queue_is_judge0s_503()
    {
        await fixture.WithHostAsync(new Dictionary<string, string?>
        {
            ["Runner:Roles"] = "api",
            ["Runner:ApiKeys:0"] = "k1",
            ["Runner:Queue:MaxPending"] = "0",
        }, async host =>
        {
            var anonymous = host.Client();
            Assert.Equal(401, (int)(await anonymous.GetAsync("/statuses")).StatusCode);
            var keyed = host.Client();
            keyed.DefaultRequestHeaders.Add("X-Auth-Token", "k1");
            Assert.Equal(200, (int)(await keyed.GetAsync("/statuses")).StatusCode);
            Assert.Equal(200, (int)(await host.Client(apiKey: "k1").GetAsync("/statuses")).StatusCode);
            Assert.Equal(200, (int)(await anonymous.GetAsync("/statuses?X-Auth-Token=k1")).StatusCode);

            await CompatFixture.WaitForLanguagesAsync(keyed);
            var (status, full) = await keyed.PostJsonAsync("/submissions", new { source_code = "print(1)", language_id = 71 });
            Assert.Equal(503, status);
            Assert.Equal("{\"error\":\"queue is full\"}", full.GetRawText());
        });
    }

    [Fact]
    public async Task A_configured_prefix_serves_judge0_there_as_well_as_at_the_root()
    {
        await fixture.WithHostAsync(new Dictionary<string, string?> { ["Runner:Roles"] = "api", ["Runner:Compat:Judge0:Prefix"] = "/judge0" }, async host =>
        {
            var client = host.Client();
            var (status, about) = await client.GetJsonAsync("/judge0/about");
            Assert.Equal(200, status);
            Assert.Equal("1.13.1", about.GetProperty("version").GetString());
            Assert.Equal(200, (await client.GetJsonAsync("/about")).Status);
        });
    }
}
