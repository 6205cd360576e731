namespace Runner.Sandbox.Supervision;

/// <summary>
/// One captured stream: keeps at most <c>cap</c> bytes, so the worker's memory is bounded
/// whatever the program prints. Seeing more than the cap marks it exceeded. With an
/// <see cref="OutputOrder"/>, the kept length of each read is recorded there too.
/// </summary>
internal sealed class OutputCapture(long cap, OutputStream stream = OutputStream.Stdout, OutputOrder? order = null)
{
    private readonly MemoryStream _kept = new();

    public bool Exceeded { get; private set; }
    public long TotalBytes { get; private set; }

    public void Append(ReadOnlySpan<byte> chunk)
    {
        TotalBytes += chunk.Length;
        var room = cap - _kept.Length;
        if (chunk.Length > room)
        {
            Exceeded = true;
            chunk = chunk[..(int)Math.Max(0, room)];
        }
        _kept.Write(chunk);
        order?.Record(stream, chunk.Length);
    }

    public byte[] ToArray() => _kept.ToArray();
}
