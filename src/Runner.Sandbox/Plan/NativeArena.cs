using System.Runtime.InteropServices;
using System.Text;

namespace Runner.Sandbox.Plan;

/// <summary>
/// Native memory for one launch: strings, argv/envp arrays and kernel structs that plan ops
/// point at. The child is a copy-on-write image of the parent, so these pointers stay valid
/// there. Blocks never move; everything is freed together.
/// </summary>
internal sealed unsafe class NativeArena : IDisposable
{
    private const int BlockSize = 64 * 1024;
    private readonly List<nint> _blocks = [];
    private byte* _cursor;
    private int _left;

    public byte* Allocate(int size, int alignment = 8)
    {
        var misalignment = (int)((nuint)_cursor % (nuint)alignment);
        var pad = misalignment == 0 ? 0 : alignment - misalignment;
        if (_cursor == null || pad + size > _left)
        {
            var blockSize = Math.Max(BlockSize, size + alignment);
            var block = (byte*)NativeMemory.AllocZeroed((nuint)blockSize);
            _blocks.Add((nint)block);
            _cursor = block;
            _left = blockSize;
            pad = 0;
        }
        var result = _cursor + pad;
        _cursor += pad + size;
        _left -= pad + size;
        return result;
    }

    public T* Allocate<T>() where T : unmanaged => (T*)Allocate(sizeof(T));

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
        foreach (var block in _blocks) NativeMemory.Free((void*)block);
        _blocks.Clear();
        _cursor = null;
        _left = 0;
    }
}
