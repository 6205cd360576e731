namespace Runner.Sandbox.Tests;

public class ByteSizeTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("1024", 1024L)]
    [InlineData("100B", 100L)]
    [InlineData("64K", 64L << 10)]
    [InlineData("256M", 256L << 20)]
    [InlineData("256m", 256L << 20)]
    [InlineData("1G", 1L << 30)]
    [InlineData("1GB", 1L << 30)]
    [InlineData("1GiB", 1L << 30)]
    [InlineData("1gib", 1L << 30)]
    [InlineData("2T", 2L << 40)]
    [InlineData("8388607T", 8388607L << 40)]
    public void Sizes_with_binary_suffixes_parse_to_bytes(string text, long expected)
        => Assert.Equal(expected, ByteSize.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("M")]
    [InlineData("-1")]
    [InlineData("-1M")]
    [InlineData("+1M")]
    [InlineData("1.5M")]
    [InlineData("1,5M")]
    [InlineData(" 1M")]
    [InlineData("1M ")]
    [InlineData("1 M")]
    [InlineData("1P")]
    [InlineData("1MM")]
    [InlineData("1iB")]
    [InlineData("1e6")]
    [InlineData("١٢")]
    public void Garbage_fractions_and_negatives_are_rejected_as_format_errors(string text)
    {
        Assert.Throws<FormatException>(() => ByteSize.Parse(text));
        Assert.False(ByteSize.TryParse(text, out _));
    }

    [Theory]
    [InlineData("8388608T")]
    [InlineData("9223372036854775808")]
    [InlineData("99999999999999999999999G")]
    public void Sizes_beyond_a_64_bit_byte_count_are_rejected_as_overflow(string text)
    {
        Assert.Throws<OverflowException>(() => ByteSize.Parse(text));
        Assert.False(ByteSize.TryParse(text, out _));
    }

    [Fact]
    public void The_largest_representable_byte_count_parses()
        => Assert.Equal(long.MaxValue, ByteSize.Parse("9223372036854775807"));

    [Theory]
    [InlineData(0L, "0B")]
    [InlineData(1023L, "1023B")]
    [InlineData(1024L, "1KiB")]
    [InlineData(1536L, "1.5KiB")]
    [InlineData(256L << 20, "256MiB")]
    [InlineData(1_258_291, "1.2MiB")]
    [InlineData(1_048_575L, "1.0MiB")]
    [InlineData(3L << 30, "3GiB")]
    [InlineData(5L << 40, "5TiB")]
    [InlineData(5000L << 40, "5000TiB")]
    public void Formatting_uses_the_largest_binary_unit_with_at_most_one_decimal(long bytes, string expected)
        => Assert.Equal(expected, ByteSize.Format(bytes));

    [Theory]
    [InlineData(1024L)]
    [InlineData(256L << 20)]
    [InlineData(7L << 40)]
    [InlineData(999L)]
    public void Exact_multiples_format_to_text_that_parses_back_to_the_same_count(long bytes)
        => Assert.Equal(bytes, ByteSize.Parse(ByteSize.Format(bytes)));
}
