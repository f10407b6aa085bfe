using System.Buffers.Binary;

namespace PortAudit.Sources.Files;

/// <summary>
/// The CRC-32 of gzip and zip (ISO-HDLC, reflected polynomial 0xEDB88320), eight bytes a step ("slicing by 8"),
/// so that checking a gzip capture costs a fraction of inflating it.
/// </summary>
internal static class Crc32
{
    private static readonly uint[] Tables = CreateTables();

    /// <summary>Continues <paramref name="crc"/> (0 for none yet) over <paramref name="bytes"/>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> bytes)
    {
        uint c = ~crc;
        var t = Tables.AsSpan();
        while (bytes.Length >= 8)
        {
            uint low = BinaryPrimitives.ReadUInt32LittleEndian(bytes) ^ c;
            uint high = BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]);
            c = t[7 * 256 + (byte)low] ^ t[6 * 256 + (byte)(low >> 8)] ^ t[5 * 256 + (byte)(low >> 16)] ^ t[4 * 256 + (int)(low >> 24)]
              ^ t[3 * 256 + (byte)high] ^ t[2 * 256 + (byte)(high >> 8)] ^ t[256 + (byte)(high >> 16)] ^ t[(int)(high >> 24)];
            bytes = bytes[8..];
        }
        foreach (byte b in bytes)
            c = t[(byte)(c ^ b)] ^ (c >> 8);
        return ~c;
    }

    /// <summary>Table k gives the CRC of a byte followed by k zero bytes.</summary>
    private static uint[] CreateTables()
    {
        var t = new uint[8 * 256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        for (int n = 0; n < 256; n++)
            for (int k = 1; k < 8; k++)
                t[k * 256 + n] = t[(k - 1) * 256 + n] >> 8 ^ t[(byte)t[(k - 1) * 256 + n]];
        return t;
    }
}
