using Microsoft.Playwright;

namespace Runner.Playground.Tests.Infrastructure;

/// <summary>
/// Debian's chromium, driven by Playwright. Playwright's own browser builds are never downloaded:
/// the tests use the distribution's package, which CI installs (.ci/run).
/// </summary>
public sealed class Browser : IAsyncDisposable
{
    public const string Executable = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;

    public IBrowser Chromium { get; }

    private Browser(IPlaywright playwright, IBrowser chromium)
    {
        _playwright = playwright;
        Chromium = chromium;
    }

    public static async Task<Browser> LaunchAsync()
    {
        if (!File.Exists(Executable))
            throw new InvalidOperationException($"{Executable} is missing: install Debian's chromium package (apt-get install chromium), as .ci/run does");
        var playwright = await Playwright.CreateAsync();
        var chromium = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Executable,
            Headless = true,
            // Tests run as root, where Chromium's own sandbox cannot start; the page is ours.
            ChromiumSandbox = false,
            Args = ["--disable-gpu", "--disable-dev-shm-usage"],
        });
        return new Browser(playwright, chromium);
    }

    public async ValueTask DisposeAsync()
    {
        await Chromium.DisposeAsync();
        _playwright.Dispose();
    }
}
