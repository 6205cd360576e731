namespace Runner.Playground.Tests.Infrastructure;

/// <summary>One host and one browser for the whole class: each costs seconds to start.</summary>
public sealed class PlaygroundFixture : IAsyncLifetime
{
    public PlaygroundHost Host { get; } = new();
    public Browser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var browser = Browser.LaunchAsync();
        await Host.StartAsync(["python", "c"], TimeSpan.FromMinutes(2));
        Browser = await browser;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        await Host.DisposeAsync();
    }
}
