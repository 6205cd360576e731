using Runner.Api.Contracts;
using Runner.Api.Hosting;
using Runner.Api.Storage;
using Runner.Api.Submissions;

namespace Runner.Api.Tests.Submissions;

/// <summary>Defaults, the server's maxima and the engine's floors, without a host or a database.</summary>
public class LimitsValidatorTests
{
    private static readonly LimitOptions Server = new();

    private static (JudgeLimits Limits, Dictionary<string, string[]> Errors) Resolve(LimitsRequest? request, LimitOptions? server = null)
    {
        var errors = new ValidationErrors();
        var limits = LimitsValidator.Resolve(request, server ?? Server, "limits", errors);
        return (limits, errors.ToDictionary());
    }

    [Fact]
    public void Omitted_limits_take_the_server_defaults_and_the_wall_clock_is_twice_the_time_plus_one()
    {
        var (limits, errors) = Resolve(null);
        Assert.Empty(errors);
        Assert.Equal(new JudgeLimits(2, 5, 256L << 20, 64, 1L << 20), limits);
    }

    [Fact]
    public void A_derived_wall_clock_is_capped_at_the_server_maximum_rather_than_refused()
    {
        var (limits, errors) = Resolve(new LimitsRequest { Time = 20 }, new LimitOptions { MaxWallTime = 30 });
        Assert.Empty(errors);
        Assert.Equal(30, limits.WallTime);
    }

    [Fact]
    public void Every_limit_above_the_server_maximum_is_named_with_the_maximum()
    {
        var (_, errors) = Resolve(new LimitsRequest { Time = 21, WallTime = 61, Memory = (2L << 30) + 1, Pids = 513, Output = (64L << 20) + 1 });
        Assert.Equal(["limits.memory", "limits.output", "limits.pids", "limits.time", "limits.wall_time"], errors.Keys.Order());
        Assert.Equal("must be at most the server maximum of 20 s", Assert.Single(errors["limits.time"]));
        Assert.Equal("must be at most the server maximum of 2147483648 bytes", Assert.Single(errors["limits.memory"]));
    }

    [Fact]
    public void Every_limit_below_the_engines_floor_is_named_with_the_engines_own_rule()
    {
        var (_, errors) = Resolve(new LimitsRequest { Time = 0, WallTime = -1, Memory = 1000, Pids = 0, Output = -1 });
        Assert.Equal(["limits.memory", "limits.output", "limits.pids", "limits.time", "limits.wall_time"], errors.Keys.Order());
        Assert.Equal("memory must be at least 1M", Assert.Single(errors["limits.memory"]));
        Assert.Equal("pids must be at least 1", Assert.Single(errors["limits.pids"]));
        Assert.Equal("CPU time must be between 0 and 86400 seconds", Assert.Single(errors["limits.time"]));
    }

    [Fact]
    public void A_time_that_is_not_a_number_is_refused()
    {
        var (_, errors) = Resolve(new LimitsRequest { Time = double.NaN });
        Assert.True(errors.ContainsKey("limits.time"));
    }

    [Fact]
    public void Limits_at_the_floor_and_at_the_maximum_are_accepted()
    {
        Assert.Empty(Resolve(new LimitsRequest { Time = 20, WallTime = 60, Memory = 2L << 30, Pids = 512, Output = 64L << 20 }).Errors);
        Assert.Empty(Resolve(new LimitsRequest { Time = 0.001, WallTime = 0.001, Memory = 1L << 20, Pids = 1, Output = 0 }).Errors);
    }

    [Fact]
    public void The_resolved_limits_become_the_engines_limits_field_for_field()
    {
        var limits = new JudgeLimits(1.5, 4, 128L << 20, 16, 4096).ToSandboxLimits();
        Assert.Equal((1.5, (double?)4, 128L << 20, 16, 4096L), (limits.CpuTimeSeconds, limits.WallTimeSeconds, limits.MemoryBytes, limits.Pids, limits.OutputBytes));
    }
}
