namespace PortAudit.Sources.Records;

/// <summary>
/// Walks a Parquet footer's Thrift compact encoding (the FileMetaData struct) without reading its meaning, to refuse a
/// footer whose fields run past its end before Parquet.Net reads it: Parquet.Net 6.1.0 copies the footer into memory and
/// reads a varint there until a byte without its high bit, and past the end of that copy each read gives 0xFF, so a
/// footer cut inside a field (afl's parquet target: the FileMetaData's closing stop byte turned into an i32 field header)
/// spun forever. Each element takes at least one byte, so a count larger than the bytes left is refused too: the walk
/// is linear in the footer.
/// </summary>
internal static class ParquetFooterShape
{
    private const int MaxDepth = 64, MaxVarIntBytes = 10;
    private const byte Stop = 0, True = 1, False = 2, Byte = 3, I16 = 4, I32 = 5, I64 = 6, Double = 7, Binary = 8,
        List = 9, Set = 10, Map = 11, Struct = 12, Uuid = 13;

    /// <summary>Null when <paramref name="footer"/> is one whole struct; else where and why it is not, in words.</summary>
    public static string? Problem(ReadOnlySpan<byte> footer)
    {
        int at = 0;
        return Skip(footer, ref at, Struct, 0) ? null : $"its metadata is not whole: a field runs past its end or is of no type, at byte {at} of {footer.Length}";
    }

    private static bool Skip(ReadOnlySpan<byte> data, ref int at, byte type, int depth)
    {
        if (depth > MaxDepth) return false;
        switch (type)
        {
            case True or False:
                return true;
            case Byte:
                return Advance(data, ref at, 1);
            case I16 or I32 or I64:
                return VarInt(data, ref at, out _);
            case Double:
                return Advance(data, ref at, 8);
            case Uuid:
                return Advance(data, ref at, 16);
            case Binary:
                return VarInt(data, ref at, out ulong length) && length <= (ulong)(data.Length - at) && Advance(data, ref at, (int)length);
            case List or Set:
            {
                if (!Advance(data, ref at, 1)) return false;
                byte header = data[at - 1];
                ulong count = (ulong)(header >> 4);
                if (count == 15 && !VarInt(data, ref at, out count)) return false;
                byte element = (byte)(header & 0x0F);
                if (count > (ulong)(data.Length - at)) return false;
                for (ulong i = 0; i < count; i++)
                    // A list's booleans take a byte each.
                    if (!(element is True or False ? Advance(data, ref at, 1) : Skip(data, ref at, element, depth + 1))) return false;
                return true;
            }
            case Map:
            {
                if (!VarInt(data, ref at, out ulong count)) return false;
                if (count == 0) return true;
                if (!Advance(data, ref at, 1) || count > (ulong)(data.Length - at)) return false;
                byte types = data[at - 1];
                for (ulong i = 0; i < count; i++)
                    if (!Skip(data, ref at, (byte)(types >> 4), depth + 1) || !Skip(data, ref at, (byte)(types & 0x0F), depth + 1)) return false;
                return true;
            }
            case Struct:
                while (true)
                {
                    if (!Advance(data, ref at, 1)) return false;
                    byte header = data[at - 1];
                    if (header == Stop) return true;
                    // A field id delta of 0 means the id follows as a varint.
                    if (header >> 4 == 0 && !VarInt(data, ref at, out _)) return false;
                    if (!Skip(data, ref at, (byte)(header & 0x0F), depth + 1)) return false;
                }
            default:
                return false;
        }
    }

    private static bool Advance(ReadOnlySpan<byte> data, ref int at, int count)
    {
        if (count > data.Length - at) return false;
        at += count;
        return true;
    }

    private static bool VarInt(ReadOnlySpan<byte> data, ref int at, out ulong value)
    {
        value = 0;
        for (int i = 0; i < MaxVarIntBytes; i++)
        {
            if (at >= data.Length) return false;
            byte b = data[at++];
            value |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) return true;
        }
        return false;
    }
}
