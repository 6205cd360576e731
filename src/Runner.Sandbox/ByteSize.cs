using System.Globalization;

namespace Runner.Sandbox;

/// <summary>
/// Sizes as people write them on command lines and in job files: "1024", "64K", "256M",
/// "1G", "2TiB". Suffixes are binary (K = 1024) whatever the spelling, because memory
/// limits are compared against page-granular kernel counters where decimal units only confuse.
/// </summary>
public static class ByteSize
{
    private const string Units = "KMGT";

    /// <summary>
    /// Parses a non-negative whole number of bytes with an optional K/M/G/T suffix, itself
    /// optionally followed by B or iB; "B" alone is also accepted. Case-insensitive.
    /// Fractions ("1.5M") are rejected: they round differently in every tool, and "1536M"
    /// says the same thing exactly.
    /// </summary>
    /// <exception cref="FormatException">Not a size.</exception>
    /// <exception cref="OverflowException">Larger than <see cref="long.MaxValue"/> bytes.</exception>
    public static long Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var digits = 0;
        while (digits < text.Length && char.IsAsciiDigit(text[digits])) digits++;
        if (digits == 0)
            throw new FormatException($"expected a size like 256M or 1G, got '{text}'");

        var shift = SuffixShift(text.AsSpan(digits));
        if (shift < 0)
            throw new FormatException($"expected a size like 256M or 1G, got '{text}'");

        if (!long.TryParse(text.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || number > (long.MaxValue >> shift))
            throw new OverflowException($"size is too large: '{text}'");
        return number << shift;
    }

    /// <summary>Like <see cref="Parse"/> but reports failure instead of throwing.</summary>
    public static bool TryParse(string? text, out long bytes)
    {
        bytes = 0;
        if (text is null) return false;
        try
        {
            bytes = Parse(text);
            return true;
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            return false;
        }
    }

    /// <summary>
    /// Formats for people: exact multiples keep the largest whole unit ("256MiB", which
    /// <see cref="Parse"/> reads back), anything else gets one decimal ("1.2MiB").
    /// </summary>
    public static string Format(long bytes)
    {
        if (bytes < 0)
            return "-" + Format(bytes == long.MinValue ? long.MaxValue : -bytes);
        if (bytes < 1024)
            return bytes.ToString(CultureInfo.InvariantCulture) + "B";

        var unit = 0;
        // Compare the rounded figure so 1048575 bytes reads "1.0MiB", not "1024.0KiB".
        while (unit < Units.Length - 1 && Math.Round((double)bytes / (1L << (10 * (unit + 1))), 1) >= 1024) unit++;
        var shift = 10 * (unit + 1);
        var name = Units[unit] + "iB";
        if ((bytes & ((1L << shift) - 1)) == 0)
            return (bytes >> shift).ToString(CultureInfo.InvariantCulture) + name;
        return ((double)bytes / (1L << shift)).ToString("0.0", CultureInfo.InvariantCulture) + name;
    }

    /// <summary>Bits to shift for the suffix, or -1 when it is not one.</summary>
    private static int SuffixShift(ReadOnlySpan<char> suffix)
    {
        if (suffix.IsEmpty || suffix.Equals("B", StringComparison.OrdinalIgnoreCase))
            return 0;
        var unit = Units.IndexOf(char.ToUpperInvariant(suffix[0]));
        if (unit < 0)
            return -1;
        var rest = suffix[1..];
        if (rest.IsEmpty
            || rest.Equals("B", StringComparison.OrdinalIgnoreCase)
            || rest.Equals("iB", StringComparison.OrdinalIgnoreCase))
            return 10 * (unit + 1);
        return -1;
    }
}
