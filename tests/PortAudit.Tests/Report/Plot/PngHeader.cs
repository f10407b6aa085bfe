using System.Buffers.Binary;

namespace PortAudit.Tests.Report.Plot;

/// <summary>What a PNG file says of itself: the signature, then the IHDR chunk with the image's width and height.</summary>
internal static class PngHeader
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>The image's size, read from IHDR, the chunk a PNG must start with; fails the test for anything else.</summary>
    public static (int Width, int Height) Size(string path)
    {
        byte[] head = new byte[24];
        using (var file = File.OpenRead(path)) file.ReadExactly(head);
        Assert.Equal(Signature, head[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(head, 12, 4));
        return (BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(20)));
    }

    /// <summary>Fails unless <paramref name="path"/> is a PNG of at least 800 by 400 pixels, the least that reads in a ticket.</summary>
    public static void AssertReadable(string path)
    {
        var (width, height) = Size(path);
        Assert.True(width >= 800 && height >= 400, $"{Path.GetFileName(path)} is {width}x{height}");
    }
}
