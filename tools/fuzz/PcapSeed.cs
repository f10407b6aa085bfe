using System.Buffers.Binary;

namespace PortAudit.Fuzz;

/// <summary>
/// Writes the synthetic pcap seeds (<see cref="TunnelSeed"/>, <see cref="UpgradeSeed"/>): classic pcap, little-endian,
/// microseconds, Ethernet; IPv4 between 192.0.2.1 and 192.0.2.2 with checksums left at zero, which the decoder does not read.
/// </summary>
internal static class PcapSeed
{
    /// <summary>A capture of <paramref name="frames"/>, a millisecond apart.</summary>
    public static byte[] Capture(IReadOnlyList<byte[]> frames)
    {
        var pcap = new List<byte>(Header());
        for (int i = 0; i < frames.Count; i++) pcap.AddRange(Record(frames[i], i));
        return [.. pcap];
    }

    /// <summary>An Ethernet frame carrying an IPv4 packet.</summary>
    public static byte[] Ethernet(byte[] ipv4) => [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00, .. ipv4];

    /// <summary>An IPv4 packet from 192.0.2.1 to 192.0.2.2, or back when <paramref name="fromClient"/> is false.</summary>
    public static byte[] Ipv4(byte protocol, byte[] payload, bool fromClient = true)
    {
        int length = 20 + payload.Length;
        byte source = fromClient ? (byte)1 : (byte)2, destination = fromClient ? (byte)2 : (byte)1;
        return [0x45, 0, (byte)(length >> 8), (byte)length, 0, 1, 0, 0, 64, protocol, 0, 0, 192, 0, 2, source, 192, 0, 2, destination, .. payload];
    }

    /// <summary>
    /// A UDP datagram from <paramref name="source"/> to <paramref name="destination"/> in an IPv4 packet (as
    /// <see cref="Ipv4"/>), its checksum left at zero, as IPv4 allows.
    /// </summary>
    public static byte[] Udp(ushort source, ushort destination, byte[] payload, bool fromClient = true)
    {
        int length = 8 + payload.Length;
        return Ipv4(17, [(byte)(source >> 8), (byte)source, (byte)(destination >> 8), (byte)destination, (byte)(length >> 8), (byte)length, 0, 0, .. payload],
            fromClient);
    }

    private static byte[] Header()
    {
        var header = new byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, 0xA1B2C3D4);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(4), 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(6), 4);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(16), 65535);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(20), 1);
        return header;
    }

    private static byte[] Record(byte[] frame, int millisecond)
    {
        var record = new byte[16 + frame.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(record, 1_700_000_000);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(4), (uint)(millisecond * 1000));
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(8), (uint)frame.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(12), (uint)frame.Length);
        frame.CopyTo(record, 16);
        return record;
    }
}
