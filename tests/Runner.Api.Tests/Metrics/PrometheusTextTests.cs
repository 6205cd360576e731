namespace Runner.Api.Tests.Metrics;

/// <summary>The test parser refuses what Prometheus would, so the scrape tests cannot pass on malformed output.</summary>
public sealed class PrometheusTextTests
{
    [Fact]
    public void A_well_formed_exposition_is_read_family_by_family()
    {
        var families = PrometheusText.Parse("""
            # TYPE jobs_total counter
            # HELP jobs_total Jobs done, by "kind".
            jobs_total{kind="a\"b",path="c:\\d"} 3
            jobs_total{kind="e"} 1 1700000000000
            # TYPE wait_seconds histogram
            wait_seconds_bucket{le="0.5"} 1
            wait_seconds_bucket{le="+Inf"} 2
            wait_seconds_sum 1.25
            wait_seconds_count 2
            up NaN

            """.Replace("\r", ""));
        Assert.Equal("counter", families["jobs_total"].Type);
        Assert.Equal("Jobs done, by \"kind\".", families["jobs_total"].Help);
        Assert.Equal(3, families["jobs_total"].Samples.Single(s => s.Has(("kind", "a\"b"), ("path", "c:\\d"))).Value);
        Assert.Equal(4, families["wait_seconds"].Samples.Count);
        Assert.Equal("untyped", families["up"].Type);
    }

    [Theory]
    [InlineData("jobs_total 1", "must end with a newline")]
    [InlineData("jobs total 1\n", "value")]
    [InlineData("2jobs 1\n", "metric name")]
    [InlineData("jobs{kind=a} 1\n", "quoted value")]
    [InlineData("jobs{kind=\"a\\t\"} 1\n", "unknown escape")]
    [InlineData("jobs 1\njobs 2\n", "twice")]
    [InlineData("jobs one\n", "not a value")]
    [InlineData("jobs 1\n# TYPE jobs counter\n", "after its samples")]
    [InlineData("a 1\nb 1\na{x=\"1\"} 1\n", "not together")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n", "not cumulative")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 1\n", "differs from _count")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n", "no +Inf bucket")]
    public void A_malformed_exposition_is_refused(string text, string reason)
    {
        var e = Assert.Throws<FormatException>(() => PrometheusText.Parse(text));
        Assert.Contains(reason, e.Message);
    }
}
