namespace Runner.Sandbox.Supervision;

/// <summary>
/// The order in which the supervisor read kept bytes from the two output pipes, so a caller can
/// rebuild one interleaved stream (Piston's <c>output</c>, Judge0's stderr-to-stdout) without
/// the engine merging the pipes. Adjacent reads of one stream are one chunk. The list is
/// bounded: past <see cref="MaxChunks"/> it stops recording and says so, and a caller appends
/// the rest of each stream in stdout-then-stderr order.
/// </summary>
internal sealed class OutputOrder
{
    public const int MaxChunks = 1 << 16;

    private readonly List<OutputChunk> _chunks = [];

    public bool Complete { get; private set; } = true;

    public void Record(OutputStream stream, int length)
    {
        if (length == 0 || !Complete) return;
        if (_chunks.Count > 0 && _chunks[^1].Stream == stream)
        {
            _chunks[^1] = _chunks[^1] with { Length = _chunks[^1].Length + length };
            return;
        }
        if (_chunks.Count == MaxChunks)
        {
            Complete = false;
            return;
        }
        _chunks.Add(new OutputChunk(stream, length));
    }

    public IReadOnlyList<OutputChunk> ToList() => _chunks.ToArray();
}
