using System.Buffers.Binary;

namespace PortAudit.Inspect.DceRpc;

/// <summary>A bounds-checked reader of little-endian NDR stub data: every read fails softly past the end.</summary>
public ref struct NdrReader
{
    private readonly ReadOnlySpan<byte> _data;

    /// <summary>Starts at the beginning of <paramref name="data"/>.</summary>
    public NdrReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        Position = 0;
    }

    /// <summary>Offset of the next read.</summary>
    public int Position { get; private set; }

    /// <summary>Reads a 4-byte aligned unsigned 32-bit integer.</summary>
    public bool TryUInt32(out uint value)
    {
        value = 0;
        Align(4);
        if (Position + 4 > _data.Length) return false;
        value = BinaryPrimitives.ReadUInt32LittleEndian(_data[Position..]);
        Position += 4;
        return true;
    }

    /// <summary>Takes <paramref name="count"/> bytes.</summary>
    public bool TryBytes(uint count, out ReadOnlySpan<byte> bytes)
    {
        bytes = default;
        if (count > (uint)(_data.Length - Position)) return false;
        bytes = _data.Slice(Position, (int)count);
        Position += (int)count;
        return true;
    }

    /// <summary>Skips <paramref name="count"/> bytes.</summary>
    public bool TrySkip(uint count) => TryBytes(count, out _);

    private void Align(int boundary) => Position = Math.Min(_data.Length, (Position + boundary - 1) & ~(boundary - 1));
}
