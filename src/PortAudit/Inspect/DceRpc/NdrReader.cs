using System.Buffers.Binary;

namespace PortAudit.Inspect.DceRpc;

/// <summary>
/// A bounds-checked reader of little-endian stub data in NDR or NDR64 ([MS-RPCE] 2.2.5): every read fails softly past
/// the end. NDR64 widens pointers and array counts to 8 bytes on 8-byte boundaries; 32-bit integers stay as they are.
/// </summary>
public ref struct NdrReader
{
    private readonly ReadOnlySpan<byte> _data;

    /// <summary>Starts at the beginning of <paramref name="data"/>, read in NDR64 when <paramref name="ndr64"/>.</summary>
    public NdrReader(ReadOnlySpan<byte> data, bool ndr64 = false)
    {
        _data = data;
        Ndr64 = ndr64;
        Position = 0;
    }

    /// <summary>True when the stub is in NDR64.</summary>
    public bool Ndr64 { get; }

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

    /// <summary>
    /// Reads an array count or a pointer's referent id: 4 bytes in NDR, 8 on an 8-byte boundary in NDR64. Values past
    /// 32 bits are no count a sane answer carries, and fail.
    /// </summary>
    public bool TryCount(out uint value)
    {
        if (!Ndr64) return TryUInt32(out value);
        value = 0;
        Align(8);
        if (Position + 8 > _data.Length) return false;
        ulong wide = BinaryPrimitives.ReadUInt64LittleEndian(_data[Position..]);
        Position += 8;
        if (wide > uint.MaxValue) return false;
        value = (uint)wide;
        return true;
    }

    /// <summary>Moves to the boundary a structure holding counts or pointers starts on: 4 in NDR, 8 in NDR64.</summary>
    public void AlignStructure() => Align(Ndr64 ? 8 : 4);

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
