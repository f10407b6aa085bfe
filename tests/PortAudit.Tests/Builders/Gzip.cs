using System.IO.Compression;

namespace PortAudit.Tests.Builders;

/// <summary>gzip members for capture tests, and the places in them that damage tests aim at.</summary>
internal static class Gzip
{
    /// <summary>Size of the trailer (CRC-32 then ISIZE, both little-endian) that ends every member.</summary>
    public const int TrailerLength = 8;

    public static byte[] Compress(byte[] plain)
    {
        var packed = new MemoryStream();
        using (var gz = new GZipStream(packed, CompressionLevel.Optimal, leaveOpen: true)) gz.Write(plain);
        return packed.ToArray();
    }
}
