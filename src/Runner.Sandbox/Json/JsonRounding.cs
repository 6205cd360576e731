namespace Runner.Sandbox.Json;

/// <summary>How every result in Runner writes a time (and a score): rounded to six decimals.</summary>
public static class JsonRounding
{
    /// <summary>
    /// Microseconds are finer than any clock the engine reads; rounding keeps binary noise like
    /// 0.30000000000000004 out of the output. JSON has no NaN, so a broken reading becomes 0.
    /// </summary>
    public static double Round(double value) =>
        double.IsFinite(value) ? Math.Round(value, 6, MidpointRounding.AwayFromZero) : 0;
}
