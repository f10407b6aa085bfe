using static PortAudit.Fuzz.PcapSeed;

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
        return new FuzzSeed("tunnels.pcap", PcapSeed.Capture([.. tunnels.Select(Ethernet)]));
    }

    private static byte[] Udp(ushort port, byte[] payload) => PcapSeed.Udp(50000, port, payload);
}
