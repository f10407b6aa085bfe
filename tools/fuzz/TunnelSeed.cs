using System.Buffers.Binary;

namespace PortAudit.Fuzz;

/// <summary>
/// A pcap seed of the tunnels the decoder opens that no capture of ../shared holds whole: VXLAN, Geneve (an Ethernet frame
/// and an IPv4 packet), GTP-U behind a sequence number and an extension header, L2TP behind all its optional fields, and
/// ERSPAN types I, II and III, each
/// carrying one TCP segment. From its bytes afl reaches the
/// tunnels' headers, which a mutation of a plain capture rarely builds.
/// </summary>
public static class TunnelSeed
{
    /// <summary>The seed: one record per tunnel, a millisecond apart.</summary>
    public static FuzzSeed Capture()
    {
        byte[] segment = Ipv4(6, [0x9C, 0x40, 0x01, 0xBD, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xFF, 0xFF, 0, 0, 0, 0]);
        byte[] frame = Ethernet(segment);
        byte[][] tunnels =
        [
            Udp(4789, [0x08, 0, 0, 0, 0, 0, 42, 0, .. frame]),
            Udp(6081, [0, 0, 0x65, 0x58, 0, 0, 9, 0, .. frame]),
            Udp(6081, [0x01, 0, 0x08, 0x00, 0, 0, 9, 0, 0, 0, 0, 0, .. segment]),
            // A G-PDU of tunnel 0x1234: its length counts the optional 4 bytes (sequence 7, naming a PDU session container),
            // the container's word and the segment.
            Udp(2152, [0x36, 0xFF, 0, (byte)(8 + segment.Length), 0, 0, 0x12, 0x34, 0, 7, 0, 0x85, 0x01, 0x10, 0x09, 0x00, .. segment]),
            // An L2TP data message with its length, Ns and Nr and an offset pad of 2, its PPP frame behind the HDLC bytes.
            Udp(1701, [0x4A, 0x02, 0, (byte)(20 + segment.Length), 0, 1, 0, 2, 0, 3, 0, 4, 0, 2, 0, 0, 0xFF, 0x03, 0, 0x21, .. segment]),
            Ipv4(47, [0, 0, 0x88, 0xBE, .. frame]),
            Ipv4(47, [0x10, 0, 0x88, 0xBE, 0, 0, 0, 7, 0x10, 0, 0, 1, 0, 0, 0, 0, .. frame]),
            Ipv4(47, [0x10, 0, 0x22, 0xEB, 0, 0, 0, 7, 0x20, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, .. frame]),
        ];
        var pcap = new List<byte>(Header());
        for (int i = 0; i < tunnels.Length; i++) pcap.AddRange(Record(Ethernet(tunnels[i]), i));
        return new FuzzSeed("tunnels.pcap", [.. pcap]);
    }

    // Classic pcap, little-endian, microseconds, Ethernet.
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

    private static byte[] Ethernet(byte[] ipv4) => [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00, .. ipv4];

    // 192.0.2.1 to 192.0.2.2; checksums left at zero, which the decoder does not read.
    private static byte[] Ipv4(byte protocol, byte[] payload)
    {
        int length = 20 + payload.Length;
        return [0x45, 0, (byte)(length >> 8), (byte)length, 0, 1, 0, 0, 64, protocol, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2, .. payload];
    }

    private static byte[] Udp(ushort port, byte[] payload)
    {
        int length = 8 + payload.Length;
        return Ipv4(17, [0xC3, 0x50, (byte)(port >> 8), (byte)port, (byte)(length >> 8), (byte)length, 0, 0, .. payload]);
    }
}
