namespace Runner.Api.Metrics;

/// <summary>The "Runner:Metrics" configuration section. README.md#metrics describes every key.</summary>
public sealed class MetricsOptions
{
    public const string Section = "Runner:Metrics";

    /// <summary>Instruments and the /metrics endpoint; false removes both.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The standalone worker's own /metrics listener port; 0 turns the listener off. API hosts serve /metrics on their HTTP port.</summary>
    public int Port { get; set; } = 9464;

    /// <summary>The address the standalone worker's listener binds: loopback unless an operator opens it.</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>A scraper sending "Authorization: Bearer KEY" is let in from anywhere.</summary>
    public string? Key { get; set; }

    /// <summary>Networks (CIDR) whose scrapers are let in without the key; null means loopback only.</summary>
    public string[]? AllowedNetworks { get; set; }
}
