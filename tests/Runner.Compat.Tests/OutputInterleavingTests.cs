using System.Text;
using Runner.Sandbox;

namespace Runner.Compat.Tests;

/// <summary>Rebuilding one stream from the engine's two captures and its record of their read order.</summary>
public sealed class OutputInterleavingTests
{
    private static byte[] B(string s) => Encoding.ASCII.GetBytes(s);

    [Fact]
    public void Chunks_are_laid_out_in_read_order()
    {
        var merged = OutputChunk.Interleave(B("ab"), B("XYZ"),
            [new(OutputStream.Stdout, 1), new(OutputStream.Stderr, 2), new(OutputStream.Stdout, 1), new(OutputStream.Stderr, 1)]);
        Assert.Equal("aXYbZ", Encoding.ASCII.GetString(merged));
    }

    [Fact]
    public void Bytes_past_an_incomplete_record_follow_stdout_then_stderr()
    {
        var merged = OutputChunk.Interleave(B("abc"), B("XY"), [new(OutputStream.Stderr, 1)]);
        Assert.Equal("XabcY", Encoding.ASCII.GetString(merged));
    }
}
