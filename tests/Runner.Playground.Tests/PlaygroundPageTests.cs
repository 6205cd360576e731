using System.IO.Compression;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Runner.Playground.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Runner.Playground.Tests;

/// <summary>
/// The playground at / in a real headless Chromium, against the real host judging in real boxes.
/// The host has an API key configured, so each test first pastes it, as a user would.
/// </summary>
public sealed class PlaygroundPageTests(PlaygroundFixture fixture) : IClassFixture<PlaygroundFixture>
{
    private static readonly TimeSpan Judged = TimeSpan.FromSeconds(60);
    private const string Program = "import sys\nwords = sys.stdin.read().split()\nprint(' '.join(reversed(words)))\nprint(len(words), 'words')\n";

    [Fact]
    public async Task A_python_program_reads_its_stdin_and_the_page_shows_the_verdict_exit_status_time_memory_and_output()
    {
        await using var session = await OpenAsync();
        var page = session.Page;
        await UseKeyAsync(page);
        await page.GetByLabel("Language").SelectOptionAsync("python");
        await TypeProgramAsync(page, Program);
        await page.GetByLabel("Standard input").FillAsync("judged in a box\n");
        await page.GetByRole(AriaRole.Button, new() { Name = "Run", Exact = true }).ClickAsync();

        await Expect(page.Locator("#verdict")).ToHaveTextAsync("accepted", new() { Timeout = (float)Judged.TotalMilliseconds });
        await Expect(page.Locator("#output")).ToHaveTextAsync("box a in judged\n4 words\n");
        var sent = session.Submission();
        Assert.Equal("python", sent.GetProperty("language").GetString());
        Assert.Equal(Program, sent.GetProperty("source").GetString());
        Assert.Equal("judged in a box\n", sent.GetProperty("stdin").GetString());
        session.AssertProgressCameFromTheEventStream();
        await Expect(page.Locator("#exit-status")).ToHaveTextAsync("exit code 0");
        await Expect(page.Locator("#cpu-time")).ToHaveTextAsync(new Regex(@"^\d+ ms$|^\d+\.\d\d s$"));
        await Expect(page.Locator("#memory-peak")).ToHaveTextAsync(new Regex(@"^\d+(\.\d)? (KiB|MiB)$"));

        var screenshot = await page.ScreenshotAsync(new() { FullPage = true });
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], screenshot[..4]);
        await File.WriteAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "playground.png"), screenshot);
        // The README's picture: refreshed on request, like api/openapi.json, so a run never dirties the tree.
        if (Environment.GetEnvironmentVariable("RUNNER_UPDATE_SCREENSHOT") == "1")
            await File.WriteAllBytesAsync(Path.Combine(RepoRoot(), "docs", "playground.png"), screenshot);
        session.AssertOnlyThisOriginWasContacted();
    }

    [Fact]
    public async Task A_c_program_that_does_not_compile_shows_the_compilers_message()
    {
        await using var session = await OpenAsync();
        var page = session.Page;
        await UseKeyAsync(page);
        await page.GetByLabel("Language").SelectOptionAsync("c");
        await TypeProgramAsync(page, "int main(void) {\n    return undeclared_thing;\n}\n");
        await page.GetByRole(AriaRole.Button, new() { Name = "Run", Exact = true }).ClickAsync();

        await Expect(page.Locator("#verdict")).ToHaveTextAsync("compilation error", new() { Timeout = (float)Judged.TotalMilliseconds });
        var compiler = page.Locator("#compile-output");
        await Expect(compiler).ToBeVisibleAsync();
        await Expect(compiler).ToContainTextAsync("error:");
        await Expect(compiler).ToContainTextAsync("undeclared_thing");
        await Expect(page.Locator("#output-block")).ToBeHiddenAsync();
        Assert.Equal("int main(void) {\n    return undeclared_thing;\n}\n", session.Submission().GetProperty("source").GetString());
        await AssertAccessibleAsync(page, "with a compile error");
        session.AssertOnlyThisOriginWasContacted();
    }

    [Fact]
    public async Task Without_the_key_the_page_says_one_is_needed_and_with_it_the_key_stays_in_session_storage_and_goes_only_in_the_header()
    {
        await using var session = await OpenAsync();
        var page = session.Page;
        await Expect(page.Locator("#status")).ToContainTextAsync("needs an API key");
        await Expect(page.Locator("#api-key")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Run", Exact = true })).ToBeDisabledAsync();

        await UseKeyAsync(page);
        await Expect(page.Locator("#key-state")).ToHaveTextAsync("(set for this tab)");
        Assert.Equal(PlaygroundHost.ApiKey, await page.EvaluateAsync<string>("sessionStorage.getItem('runner.apiKey')"));
        Assert.Null(await page.EvaluateAsync<string?>("localStorage.getItem('runner.apiKey')"));
        await page.GetByLabel("Language").SelectOptionAsync("python");
        await page.GetByRole(AriaRole.Button, new() { Name = "Run", Exact = true }).ClickAsync();
        await Expect(page.Locator("#verdict")).ToHaveTextAsync("accepted", new() { Timeout = (float)Judged.TotalMilliseconds });

        var apiCalls = session.Requests.Where(r => new Uri(r.Url).AbsolutePath.StartsWith("/api/", StringComparison.Ordinal)).ToList();
        Assert.Contains(apiCalls, r => r.Method == "POST");
        Assert.All(apiCalls.SkipWhile(r => r.Headers.GetValueOrDefault("x-api-key") is null), r => Assert.Equal(PlaygroundHost.ApiKey, r.Headers["x-api-key"]));
        Assert.All(session.Requests, r => Assert.DoesNotContain(PlaygroundHost.ApiKey, r.Url, StringComparison.Ordinal));
        Assert.DoesNotContain(PlaygroundHost.ApiKey, page.Url, StringComparison.Ordinal);
        session.AssertOnlyThisOriginWasContacted();
    }

    [Fact]
    public async Task A_submission_against_a_stored_problem_shows_each_test_as_it_finishes()
    {
        // Three tests of "a + b"; the third answer is wrong on purpose, so a failing row shows too.
        var status = await fixture.Host.PutProblemAsync("playground-sum", ProblemZip("1 2", "3"), ProblemZip("20 22", "42"), ProblemZip("2 2", "5"));
        Assert.True(status is HttpStatusCode.Created or HttpStatusCode.OK, $"PUT problem: {status}");

        await using var session = await OpenAsync();
        var page = session.Page;
        await UseKeyAsync(page);
        await page.GetByLabel("Language").SelectOptionAsync("python");
        // Each test takes a moment, so the page is seen with some tests done and no verdict yet.
        await TypeProgramAsync(page, "import time\na, b = map(int, input().split())\ntime.sleep(0.5)\nprint(a + b)\n");
        await page.GetByLabel("Stored problem").FillAsync("playground-sum");
        await Expect(page.GetByLabel("Standard input")).ToBeDisabledAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Run", Exact = true }).ClickAsync();

        var rows = page.Locator("#tests tr");
        await Expect(rows).ToHaveCountAsync(1, new() { Timeout = (float)Judged.TotalMilliseconds });
        Assert.True(await page.Locator("#outcome").IsHiddenAsync(), "the first test's row is shown before the verdict");
        await Expect(page.Locator("#status")).ToContainTextAsync("Ran test 1 of 3");

        await Expect(page.Locator("#verdict")).ToHaveTextAsync("wrong answer", new() { Timeout = (float)Judged.TotalMilliseconds });
        await Expect(rows).ToHaveCountAsync(3);
        await Expect(rows.Nth(0).Locator("td").First).ToHaveTextAsync("accepted");
        await Expect(rows.Nth(2).Locator("td").First).ToHaveTextAsync("wrong answer");
        await Expect(page.Locator("#score")).ToHaveTextAsync("2 of 3");
        var sent = session.Submission();
        Assert.Equal("playground-sum", sent.GetProperty("problem").GetString());
        Assert.False(sent.TryGetProperty("stdin", out _), "a stored problem's submission carries no stdin");
        session.AssertProgressCameFromTheEventStream();
        session.AssertOnlyThisOriginWasContacted();
    }

    private static (string Input, string Answer) ProblemZip(string input, string answer) => (input + "\n", answer + "\n");

    [Fact]
    public async Task The_page_and_its_files_allow_only_this_origin_and_are_cached_by_content_hash()
    {
        using var http = new HttpClient { BaseAddress = fixture.Host.Url };
        var page = await http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        var csp = page.Headers.GetValues("Content-Security-Policy").Single();
        foreach (var directive in new[] { "default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'" })
            Assert.Contains(directive, csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("http", csp, StringComparison.Ordinal);
        Assert.Equal("no-cache", page.Headers.NonValidated["Cache-Control"].ToString());

        var html = await page.Content.ReadAsStringAsync();
        var editor = Regex.Match(html, "\"(/playground/editor\\.js\\?v=[0-9a-f]{16})\"");
        Assert.True(editor.Success, "the page names editor.js by its content hash");
        var asset = await http.GetAsync(editor.Groups[1].Value);
        Assert.Equal(HttpStatusCode.OK, asset.StatusCode);
        Assert.Equal("text/javascript", asset.Content.Headers.ContentType!.MediaType);
        Assert.Equal("public, max-age=31536000, immutable", asset.Headers.NonValidated["Cache-Control"].ToString());
        Assert.Equal(csp, asset.Headers.GetValues("Content-Security-Policy").Single());

        using var revalidate = new HttpRequestMessage(HttpMethod.Get, editor.Groups[1].Value);
        revalidate.Headers.IfNoneMatch.Add(asset.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await http.SendAsync(revalidate)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/playground/index.html")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/playground/missing.js")).StatusCode);
        Assert.Contains("MIT", await http.GetStringAsync("/playground/editor.LICENSE.txt"), StringComparison.Ordinal);

        // A browser that accepts gzip gets the same bytes compressed.
        using var gzipped = new HttpRequestMessage(HttpMethod.Get, editor.Groups[1].Value);
        gzipped.Headers.AcceptEncoding.ParseAdd("gzip, deflate, br");
        var compressed = await http.SendAsync(gzipped);
        Assert.Equal(["gzip"], compressed.Content.Headers.ContentEncoding);
        using var inflated = new MemoryStream();
        await using (var gzip = new GZipStream(await compressed.Content.ReadAsStreamAsync(), CompressionMode.Decompress)) await gzip.CopyToAsync(inflated);
        Assert.Equal(await asset.Content.ReadAsByteArrayAsync(), inflated.ToArray());
    }

    [Fact]
    public async Task Axe_finds_no_accessibility_violation_on_the_page_before_and_after_a_run()
    {
        await using var session = await OpenAsync();
        var page = session.Page;
        await AssertAccessibleAsync(page, "before the key");
        await UseKeyAsync(page);
        await page.GetByLabel("Language").SelectOptionAsync("python");
        await page.Keyboard.PressAsync("Control+Enter");
        await Expect(page.Locator("#verdict")).ToHaveTextAsync("accepted", new() { Timeout = (float)Judged.TotalMilliseconds });
        await AssertAccessibleAsync(page, "with a result");
        session.AssertOnlyThisOriginWasContacted();
    }

    private static async Task AssertAccessibleAsync(IPage page, string when)
    {
        var result = await page.RunAxe();
        Assert.True(result.Violations.Length == 0, $"{when}:\n" + string.Join("\n", result.Violations.Select(v =>
            $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => $"{n.Target} {n.Html} {string.Join(" ", n.Any.Select(c => c.Message))}"))}")));
    }

    private async Task<PageSession> OpenAsync()
    {
        var context = await fixture.Browser.Chromium.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 }, BaseURL = fixture.Host.Url.ToString() });
        var page = await context.NewPageAsync();
        var session = new PageSession(context, page, fixture.Host.Url);
        await page.GotoAsync("/");
        // The editor is CodeMirror, built into editor.js: it is there once its content area is.
        await Expect(page.Locator(".cm-content")).ToBeVisibleAsync();
        return session;
    }

    /// <summary>The host has a key, so the page asks for one (it opens the key panel itself) and the key is pasted there.</summary>
    private static async Task UseKeyAsync(IPage page)
    {
        await Expect(page.Locator("#status")).ToContainTextAsync("needs an API key");
        await page.Locator("#api-key").FillAsync(PlaygroundHost.ApiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Use key" }).ClickAsync();
        await Expect(page.GetByLabel("Language")).ToBeEnabledAsync();
    }

    /// <summary>Replaces the editor's text as typed input (inserted as text, so auto-closing brackets do not double).</summary>
    private static async Task TypeProgramAsync(IPage page, string program)
    {
        await page.Locator(".cm-content").ClickAsync();
        await page.Keyboard.PressAsync("Control+A");
        await page.Keyboard.PressAsync("Delete");
        await page.Keyboard.InsertTextAsync(program);
    }

    private static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Runner.sln"))) return d.FullName;
        throw new InvalidOperationException("cannot find the repository root (Runner.sln) above " + AppContext.BaseDirectory);
    }

    /// <summary>A fresh browser context (fresh session storage) that records every request and CSP violation.</summary>
    private sealed class PageSession : IAsyncDisposable
    {
        private readonly IBrowserContext _context;
        private readonly Uri _origin;
        private readonly List<string> _problems = [];

        public IPage Page { get; }
        public List<IRequest> Requests { get; } = [];

        public PageSession(IBrowserContext context, IPage page, Uri origin)
        {
            _context = context;
            _origin = origin;
            Page = page;
            page.Request += (_, r) => { lock (Requests) Requests.Add(r); };
            // A refused CSP load shows only as a console error; failed fetches are judged by their responses below.
            page.Console += (_, m) =>
            {
                if (m.Type == "error" && !m.Text.StartsWith("Failed to load resource", StringComparison.Ordinal)) lock (_problems) _problems.Add($"console error: {m.Text}");
            };
            page.Response += (_, r) =>
            {
                var path = new Uri(r.Url).AbsolutePath;
                // The one expected refusal: the languages, before the key is pasted.
                var expected = r.Status == 401 && path == "/api/v1/languages";
                if (r.Status >= 400 && !expected) lock (_problems) _problems.Add($"HTTP {r.Status} for {r.Request.Method} {r.Url}");
            };
            page.PageError += (_, e) => { lock (_problems) _problems.Add($"page error: {e}"); };
        }

        /// <summary>The page's CSP allows nothing else, and nothing in it tried (a refused attempt is a console error).</summary>
        public void AssertOnlyThisOriginWasContacted()
        {
            lock (Requests)
                Assert.All(Requests, r => Assert.True(new Uri(r.Url).GetLeftPart(UriPartial.Authority) == _origin.GetLeftPart(UriPartial.Authority) || r.Url.StartsWith("data:", StringComparison.Ordinal),
                    $"the page contacted {r.Url}"));
            lock (_problems)
                Assert.True(_problems.Count == 0, string.Join("\n", _problems));
        }

        /// <summary>The page read the submission's events (server-sent events) and never had to poll it.</summary>
        public void AssertProgressCameFromTheEventStream()
        {
            lock (Requests)
            {
                var submission = Requests.Where(r => new Uri(r.Url).AbsolutePath.StartsWith("/api/v1/submissions/", StringComparison.Ordinal)).Select(r => new Uri(r.Url).AbsolutePath).ToList();
                Assert.True(submission.Count == 1 && submission[0].EndsWith("/events", StringComparison.Ordinal), "requests for the submission: " + string.Join(", ", submission));
            }
        }

        /// <summary>The body of the page's POST /api/v1/submissions: what it really sent to be judged.</summary>
        public JsonElement Submission()
        {
            lock (Requests)
                return JsonDocument.Parse(Requests.Single(r => r.Method == "POST" && new Uri(r.Url).AbsolutePath == "/api/v1/submissions").PostData!).RootElement.Clone();
        }

        public async ValueTask DisposeAsync() => await _context.DisposeAsync();
    }
}
