using System.Net;
using System.Net.NetworkInformation;
using PacketDotNet;
using PacketDotNet.Utils;

namespace PortAudit.Tests.Builders;

/// <summary>
/// Builds frames and IP packets for tests with PacketDotNet, so each test states what is on the wire and the library, not
/// the test, lays out the headers and computes their lengths and checksums.
/// </summary>
/// <remarks>
/// A segment or datagram (<see cref="Tcp"/>, <see cref="Udp"/>, an ICMP message) is bytes until <see cref="Ipv4"/> or
/// <see cref="Ipv6"/> wraps it: only then is its pseudo-header known, so that is where PacketDotNet fills in its checksum.
/// PacketDotNet builds no GRE header, 802.1Q tag or ICMP message from scratch (it only parses them), so those few bytes
/// are laid here and the checksums around them are still the library's.
/// </remarks>
internal static class Packets
{
    public const byte Fin = 0x01, Syn = 0x02, Rst = 0x04, Psh = 0x08, Ack = 0x10;

    private static readonly PhysicalAddress Source = PhysicalAddress.Parse("00-01-02-03-04-06");
    private static readonly PhysicalAddress Destination = PhysicalAddress.Parse("00-01-02-03-04-05");

    /// <summary>
    /// An IPv4 packet carrying <paramref name="payload"/>: a TCP, UDP or ICMP payload of an unfragmented packet gets its
    /// checksum; <paramref name="options"/> (whole words) go after the fixed header; <paramref name="totalLength"/> overrides
    /// the computed length, for tests of a lying header.
    /// </summary>
    public static byte[] Ipv4(string src, string dst, byte protocol, byte[] payload, ushort id = 1, ushort fragmentField = 0, int? totalLength = null,
        byte[]? options = null)
    {
        var ip = new IPv4Packet(IPAddress.Parse(src), IPAddress.Parse(dst))
        {
            Id = id, FragmentFlags = fragmentField >> 13, FragmentOffset = fragmentField & 0x1FFF, TimeToLive = 64,
            PayloadData = payload, Protocol = (ProtocolType)protocol,
        };
        ip.UpdateCalculatedValues();
        byte[] bytes = ip.Bytes;
        if (options is { Length: > 0 })
        {
            // PacketDotNet lays no options: they go between its header and the payload, and the re-parse below takes the longer header.
            bytes = [.. bytes.AsSpan(0, IPv4Fields.HeaderLength), .. options, .. bytes.AsSpan(IPv4Fields.HeaderLength)];
            bytes[0] = (byte)(0x40 | (IPv4Fields.HeaderLength + options.Length) / 4);
        }
        var parsed = new IPv4Packet(new ByteArraySegment(bytes)) { TotalLength = bytes.Length };
        if ((fragmentField & 0x3FFF) == 0) UpdateTransportChecksum(parsed);
        if (totalLength is { } lying) parsed.TotalLength = lying;
        parsed.UpdateIPChecksum();
        return parsed.Bytes;
    }

    /// <summary>An IPv6 packet carrying <paramref name="payload"/>; a TCP, UDP or ICMPv6 payload right after the fixed header gets its checksum.</summary>
    public static byte[] Ipv6(string src, string dst, byte nextHeader, byte[] payload)
    {
        // IPv6Packet.UpdateCalculatedValues sets the payload length from a payload packet only, not from payload bytes.
        var ip = new IPv6Packet(IPAddress.Parse(src), IPAddress.Parse(dst))
        {
            HopLimit = 64, PayloadData = payload, NextHeader = (ProtocolType)nextHeader, PayloadLength = (ushort)payload.Length,
        };
        var parsed = new IPv6Packet(new ByteArraySegment(ip.Bytes));
        UpdateTransportChecksum(parsed);
        return parsed.Bytes;
    }

    public static byte[] Ip(string src, string dst, byte protocol, byte[] payload) =>
        src.Contains(':') ? Ipv6(src, dst, protocol, payload) : Ipv4(src, dst, protocol, payload);

    /// <summary>A TCP segment without options; its checksum is filled in by the IP packet that carries it.</summary>
    public static byte[] Tcp(ushort sport, ushort dport, byte flags, uint seq = 1000, uint ack = 0, byte[]? data = null) =>
        new TcpPacket(sport, dport) { SequenceNumber = seq, AcknowledgmentNumber = ack, Flags = flags, PayloadData = data ?? [] }.Bytes;

    /// <summary>A UDP datagram (four bytes of data unless given); its checksum is filled in by the IP packet that carries it.</summary>
    public static byte[] Udp(ushort sport, ushort dport, byte[]? data = null)
    {
        var udp = new UdpPacket(sport, dport) { PayloadData = data ?? [1, 2, 3, 4] };
        udp.UpdateCalculatedValues();
        return udp.Bytes;
    }

    /// <summary>ICMP (type 3) or ICMPv6 (type 1) destination unreachable quoting <paramref name="quoted"/>.</summary>
    public static byte[] Unreachable(bool v6, byte code, byte[] quoted) => IcmpError(v6 ? (byte)1 : (byte)3, code, quoted);

    /// <summary>
    /// An ICMP or ICMPv6 message of <paramref name="type"/> and <paramref name="code"/> quoting <paramref name="quoted"/>:
    /// type, code, checksum (left to the IP packet) and four unused bytes.
    /// </summary>
    public static byte[] IcmpError(byte type, byte code, byte[] quoted) => [type, code, 0, 0, 0, 0, 0, 0, .. quoted];

    /// <summary>A GRE header (no flags, version 0) of <paramref name="protocolType"/> before <paramref name="inner"/>.</summary>
    public static byte[] Gre(ushort protocolType, byte[] inner) => [0, 0, (byte)(protocolType >> 8), (byte)protocolType, .. inner];

    /// <summary>
    /// An Ethernet frame carrying <paramref name="ipPacket"/> (its type from the IP version), behind one 802.1Q or 802.1ad tag
    /// of VLAN 10 for each of <paramref name="vlanTypes"/>, outermost first.
    /// </summary>
    public static byte[] Ethernet(byte[] ipPacket, params ushort[] vlanTypes)
    {
        var type = (ipPacket[0] >> 4) == 6 ? EthernetType.IPv6 : EthernetType.IPv4;
        if (vlanTypes.Length == 0) return EthernetOf(type, ipPacket);
        var tags = new List<byte>();
        for (int i = 0; i < vlanTypes.Length; i++)
        {
            ushort next = i + 1 < vlanTypes.Length ? vlanTypes[i + 1] : (ushort)type;
            tags.AddRange([0, 10, (byte)(next >> 8), (byte)next]); // TCI (priority 0, VLAN 10), then the type it tags
        }
        return EthernetOf((EthernetType)vlanTypes[0], [.. tags, .. ipPacket]);
    }

    /// <summary>An Ethernet frame of <paramref name="type"/> carrying <paramref name="payload"/> as it is.</summary>
    public static byte[] EthernetOf(EthernetType type, byte[] payload) =>
        new EthernetPacket(Source, Destination, type) { PayloadData = payload }.Bytes;

    /// <summary>A PPPoE session frame (session 1) carrying <paramref name="ipv4Packet"/> over PPP.</summary>
    public static byte[] PppoeSession(byte[] ipv4Packet)
    {
        var ppp = new PppPacket { Protocol = PppProtocol.IPv4, PayloadData = ipv4Packet };
        // Nothing in PppoePacket computes its length; and its Type setter writes the version nibble, so the type (1, RFC 2516) is set on the byte.
        var pppoe = new PppoePacket(PppoeCode.SessionStage, 1) { PayloadPacket = ppp, Length = (ushort)ppp.TotalPacketLength }.Bytes;
        pppoe[0] = 0x11;
        return EthernetOf(EthernetType.PppoeSessionStage, pppoe);
    }

    /// <summary>
    /// An L2TP version 2 data message (RFC 2661 3.1) of tunnel 0x0102 and session 0x0304 carrying <paramref name="frame"/>:
    /// with <paramref name="length"/> the L flag and the length field, with <paramref name="sequence"/> Ns and Nr, with a
    /// <paramref name="pad"/> of 0 or more the O flag, the offset size and that many bytes of pad.
    /// </summary>
    public static byte[] L2tpData(byte[] frame, bool length = false, bool sequence = false, int pad = -1)
    {
        int flags = 0x0002 | (length ? 0x4000 : 0) | (sequence ? 0x0800 : 0) | (pad >= 0 ? 0x0200 : 0);
        int total = 6 + (length ? 2 : 0) + (sequence ? 4 : 0) + (pad >= 0 ? 2 + pad : 0) + frame.Length;
        return Concat([(byte)(flags >> 8), (byte)flags], length ? [(byte)(total >> 8), (byte)total] : [], [1, 2, 3, 4],
            sequence ? [0, 1, 0, 2] : [], pad >= 0 ? [(byte)(pad >> 8), (byte)pad, .. new byte[pad]] : [], frame);
    }

    /// <summary>
    /// A PPP frame of <paramref name="protocol"/> (0x0021 IPv4, 0x0057 IPv6, 0xC021 LCP) carrying <paramref name="packet"/>,
    /// behind the HDLC address and control bytes when <paramref name="hdlc"/>, its protocol in one byte when
    /// <paramref name="compressed"/> (RFC 1661 6.5).
    /// </summary>
    public static byte[] Ppp(ushort protocol, byte[] packet, bool hdlc = true, bool compressed = false) =>
        Concat(hdlc ? [0xFF, 0x03] : [], compressed ? [(byte)protocol] : [(byte)(protocol >> 8), (byte)protocol], packet);

    public static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    /// <summary>A VXLAN header (RFC 7348) with the I flag unless <paramref name="flags"/> says otherwise and <paramref name="vni"/>, then <paramref name="frame"/>.</summary>
    public static byte[] Vxlan(byte[] frame, int vni = 42, byte flags = 0x08) =>
        Concat([flags, 0, 0, 0, (byte)(vni >> 16), (byte)(vni >> 8), (byte)vni, 0], frame);

    /// <summary>
    /// A Geneve header (RFC 8926) of <paramref name="version"/> with <paramref name="optionWords"/> words of (zero) options and
    /// <paramref name="vni"/>, naming <paramref name="type"/>, then <paramref name="inner"/>.
    /// </summary>
    public static byte[] Geneve(ushort type, byte[] inner, int optionWords = 0, int version = 0, int vni = 42) =>
        Concat([(byte)(version << 6 | optionWords), 0, (byte)(type >> 8), (byte)type, (byte)(vni >> 16), (byte)(vni >> 8), (byte)vni, 0],
            new byte[optionWords * 4], inner);

    /// <summary>
    /// A GTP-U header (3GPP TS 29.281) of <paramref name="flags"/> (version 1, GTP: 0x30; 0x32 adds the optional fields with a
    /// sequence number) and message <paramref name="type"/> (0xFF, a G-PDU) for tunnel 0x1234, then
    /// <paramref name="extensions"/> (each one's content, padded to whole words, PDU session containers chained; the E
    /// flag set when there are any), then <paramref name="inner"/>. The length field counts all behind the first 8 bytes.
    /// </summary>
    public static byte[] GtpU(byte[] inner, byte flags = 0x30, byte type = 0xFF, params byte[][] extensions)
    {
        const byte PduSessionContainer = 0x85;
        if (extensions.Length > 0) flags |= 0x04;
        byte[] optional = (flags & 0x07) != 0 ? [0, 7, 0, extensions.Length > 0 ? PduSessionContainer : (byte)0] : [];
        var chain = new List<byte>();
        for (int i = 0; i < extensions.Length; i++)
        {
            int words = (extensions[i].Length + 2 + 3) / 4;
            var header = new byte[words * 4];
            header[0] = (byte)words;
            extensions[i].CopyTo(header, 1);
            header[^1] = i + 1 < extensions.Length ? PduSessionContainer : (byte)0;
            chain.AddRange(header);
        }
        int length = optional.Length + chain.Count + inner.Length;
        return Concat([flags, type, (byte)(length >> 8), (byte)length, 0, 0, 0x12, 0x34], optional, [.. chain], inner);
    }

    /// <summary>
    /// GRE with a mirror session's header (Cisco ERSPAN) of <paramref name="type"/> 1, 2 or 3 before <paramref name="mirrored"/>:
    /// type I a bare GRE header of 0x88BE; type II with a sequence number and an 8-byte header of <paramref name="version"/>
    /// (1 unless given); type III, 0x22EB, a 12-byte header of version 2 naming an Ethernet frame, or an IP packet when
    /// <paramref name="ip"/>, and the 8-byte platform sub-header when <paramref name="platform"/>. Session 1, sequence 7.
    /// </summary>
    public static byte[] Erspan(int type, byte[] mirrored, bool ip = false, bool platform = false, int? version = null)
    {
        byte[] sequenced = [0x10, 0, .. type == 3 ? new byte[] { 0x22, 0xEB } : [0x88, 0xBE], 0, 0, 0, 7];
        return type switch
        {
            1 => Gre(0x88BE, mirrored),
            2 => Concat(sequenced, [(byte)((version ?? 1) << 4), 0, 0, 1, 0, 0, 0, 0], mirrored),
            _ => Concat(sequenced, [(byte)((version ?? 2) << 4), 0, 0, 1, 0, 0, 0, 0, 0, 0, (byte)((ip ? 2 : 0) << 2), (byte)(platform ? 1 : 0)],
                platform ? new byte[8] : [], mirrored),
        };
    }

    private static void UpdateTransportChecksum(IPPacket ip)
    {
        switch (ip.PayloadPacket)
        {
            case TcpPacket tcp: tcp.UpdateTcpChecksum(); break;
            case UdpPacket udp: udp.UpdateUdpChecksum(); break;
            case IcmpV4Packet icmp: icmp.UpdateIcmpChecksum(); break;
            case IcmpV6Packet icmp6: icmp6.UpdateIcmpChecksum(); break;
        }
    }

    /// <summary>A DNS query for <paramref name="name"/> (type A) with transaction id <paramref name="id"/>.</summary>
    public static byte[] DnsQuery(string name, ushort id = 0x1234)
    {
        var query = new List<byte> { (byte)(id >> 8), (byte)id, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
        foreach (string label in name.Split('.'))
        {
            query.Add((byte)label.Length);
            query.AddRange(System.Text.Encoding.ASCII.GetBytes(label));
        }
        query.AddRange([0, 0, 1, 0, 1]);
        return [.. query];
    }

    /// <summary>The answer to <paramref name="query"/> without records.</summary>
    public static byte[] DnsAnswer(byte[] query)
    {
        var answer = (byte[])query.Clone();
        answer[2] = 0x81;
        answer[3] = 0x80;
        return answer;
    }
}
