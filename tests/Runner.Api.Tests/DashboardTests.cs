using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Runner.Api.Tests.Infrastructure;

namespace Runner.Api.Tests;

/// <summary>
/// An operator reaches the Hangfire dashboard with a browser: from another machine (as through
/// compose's published port), typing a key once, and told why when it is closed.
/// </summary>
[Collection("Service")]
public sealed class DashboardTests(PostgresServer postgres) : IClassFixture<PostgresServer>
{
    private const string Key = "dashboard-key-1";

    [Fact]
    public async Task A_browser_on_another_machine_signs_in_once_with_a_key_and_keeps_the_dashboard_open()
    {
        var address = NonLoopbackAddress();
        using var api = new ApiProcess(await postgres.CreateDatabaseAsync(), settings: new Dictionary<string, string> { ["Runner:ApiKeys:0"] = Key }, listen: address);
        var cookies = new CookieContainer();
        var browser = await api.ClientAsync(TimeSpan.FromSeconds(60), new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false });
        browser.DefaultRequestHeaders.Accept.ParseAdd("text/html");

        var first = await browser.GetAsync("/hangfire");
        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        Assert.StartsWith("/hangfire-login", first.Headers.Location?.OriginalString);
        var form = await browser.GetAsync(first.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        Assert.Contains("name=\"key\"", await form.Content.ReadAsStringAsync());

        var wrong = await browser.PostAsync("/hangfire-login", new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = "guess", ["returnUrl"] = "/hangfire" }));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/hangfire")).StatusCode);

        var signIn = await browser.PostAsync("/hangfire-login", new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = Key, ["returnUrl"] = "/hangfire/jobs/enqueued" }));
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Equal("/hangfire/jobs/enqueued", signIn.Headers.Location?.OriginalString);
        var cookie = cookies.GetCookies(api.Url).Single(c => c.Name == "runner_dashboard");
        Assert.True(cookie.HttpOnly);

        foreach (var page in new[] { "/hangfire", "/hangfire/jobs/enqueued", "/hangfire/servers" })
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(page)).StatusCode);

        // An off-site return address is not followed after sign-in.
        var offsite = await browser.PostAsync("/hangfire-login", new FormUrlEncodedContent(new Dictionary<string, string> { ["key"] = Key, ["returnUrl"] = "//evil.example/" }));
        Assert.Equal("/hangfire", offsite.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Without_configured_keys_the_dashboard_answers_401_saying_why()
    {
        await using var host = TestHosts.Api(await postgres.CreateDatabaseAsync());
        var r = await host.Client().GetAsync("/hangfire");
        var body = await r.Expect(401);
        Assert.Equal("application/problem+json", r.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Runner:ApiKeys is empty", body.GetProperty("detail").GetString());
    }

    private static IPAddress NonLoopbackAddress() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(i => i.OperationalStatus == OperationalStatus.Up && i.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
        ?? throw new InvalidOperationException("this test needs a non-loopback IPv4 address to play the operator's machine; none is up");
}
