using System.Text;

namespace Runner.Sandbox.Plan;

/// <summary>
/// Native memory for one launch: strings, argv/envp arrays and kernel structs that plan ops
/// point at. It comes from <see cref="PlanMemory"/>, which the box sees at the same address
/// whether it was cloned from this process or from runner-launcher. Blocks never move;
/// everything is freed together.
/// </summary>
internal sealed unsafe class NativeArena : IDisposable
{
    private const int BlockSize = PlanMemory.BlockSize;
    private readonly List<(nint Start, int Blocks)> _blocks = [];
    private byte* _cursor;
    private int _left;

    public byte* Allocate(int size, int alignment = 8)
    {
        var misalignment = (int)((nuint)_cursor % (nuint)alignment);
        var pad = misalignment == 0 ? 0 : alignment - misalignment;
        if (_cursor == null || pad + size > _left)
        {
            var blockSize = Math.Max(BlockSize, size + alignment);
            var block = PlanMemory.Rent(blockSize, out var blocks);
            _blocks.Add(((nint)block, blocks));
            _cursor = block;
            _left = blocks * BlockSize;
            pad = 0;
        }
        var result = _cursor + pad;
        _cursor += pad + size;
        _left -= pad + size;
        return result;
    }

    public T* Allocate<T>() where T : unmanaged => (T*)Allocate(sizeof(T));

    /// <summary>Takes the first block now (renting one clears it), so the first allocation on a hot path does not.</summary>
    public void Reserve()
    {
        if (_cursor == null) Allocate(0);
    }

    /// <summary>A NUL-terminated UTF-8 copy of <paramref name="text"/>.</summary>
    public long String(string text)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        var p = Allocate(length + 1, 1);
        Encoding.UTF8.GetBytes(text, new Span<byte>(p, length));
        p[length] = 0;
        return (long)p;
    }

    public long Bytes(ReadOnlySpan<byte> bytes)
    {
        var p = Allocate(Math.Max(bytes.Length, 1));
        bytes.CopyTo(new Span<byte>(p, bytes.Length));
        return (long)p;
    }

    /// <summary>A NULL-terminated array of C strings, as execve wants argv and envp.</summary>
    public long StringArray(IReadOnlyList<string> items)
    {
        var array = (long*)Allocate((items.Count + 1) * sizeof(long));
        for (var i = 0; i < items.Count; i++) array[i] = String(items[i]);
        array[items.Count] = 0;
        return (long)array;
    }

    public void Dispose()
    {
        foreach (var (start, blocks) in _blocks) PlanMemory.Return((byte*)start, blocks);
        _blocks.Clear();
        _cursor = null;
        _left = 0;
    }
}
