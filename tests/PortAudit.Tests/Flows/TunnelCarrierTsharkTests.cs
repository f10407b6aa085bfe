using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Tests.Builders;
using PortAudit.Tests.Sources.Live;

namespace PortAudit.Tests.Flows;

/// <summary>
/// Our tunnels' own flows (carriers) against what tshark shows of the same packets: per pair of tunnel ends and tunnel
/// protocol (and ports, for a tunnel in UDP), the packets each way and their outer IP bytes, over every frame whose outermost
/// IP packet is a tunnel's.
/// </summary>
[Trait(Tier.Name, Tier.Peer)]
public class TunnelCarrierTsharkTests
{
    // Every capture of ../shared with a tunnel: 6in4 and IP-in-IP over IPv4, IPv6 and IPv4 in IPv6, GRE opened or not,
    // VXLAN carrying IP (base.pcap) and ARP (Zeek's vxlan.pcap, whose conn.log ZeekVerdictTests compares), GTP-U carrying
    // IPv4 and IPv6 behind its mandatory header and behind a sequence number (base.pcap).
    private static readonly string[] Captures =
    [
        "captures/6in4tunnel.pcap", "captures/4in4tunnel.pcap", "captures/gre.pcapng", "captures-extra/tcpd-pptp.pcap",
        "bench/base.pcap", "flowdata/zeek/vxlan-tunnel/vxlan.pcap",
    ];

    [NeedsProgramFact("tshark", shared: "captures")]
    public void Every_carrier_counts_the_packets_and_bytes_tshark_shows_between_the_tunnels_ends()
    {
        int compared = 0;
        foreach (var capture in Captures)
        {
            string path = SharedData.Path(capture)!;
            compared += Compare(path);
        }
        Assert.Equal(34, compared);
    }

    [NeedsProgramFact("tshark")]
    public void Geneve_carriers_and_the_flows_inside_are_the_ones_tshark_dissects()
    {
        // No capture of ../shared has Geneve: both ends of a tunnel send to 6081, from ports of their own, an Ethernet frame
        // (behind options or none) or an IPv4 packet.
        static byte[] Datagram(string from, string to, ushort fromPort, ushort type, byte[] inner, int optionWords) =>
            Packets.Ethernet(Packets.Ipv4(from, to, IpProtocol.Udp, Packets.Udp(fromPort, 6081,
                Packets.Geneve(type, inner, optionWords, vni: 9))));
        var protocols = AssertOneOpeningInside("geneve.pcap",
            Datagram("192.0.2.10", "192.0.2.20", 51000, 0x6558, Packets.Ethernet(Request), 0),
            Datagram("192.0.2.20", "192.0.2.10", 52000, 0x0800, Answer, 2),
            Datagram("192.0.2.10", "192.0.2.20", 51000, 0x6558, NotIp, 1));
        Assert.Equal("eth:ethertype:ip:udp:geneve:ip:tcp", protocols[1]);
    }

    [NeedsProgramFact("tshark")]
    public void GtpU_carriers_and_the_flows_inside_are_the_ones_tshark_dissects()
    {
        // base.pcap's G-PDUs have no extension header: here a base station and its gateway exchange a user's packets behind
        // 5G PDU session containers (one word, then two chained), and a G-PDU whose payload is not IP. Both send from 2152
        // to 2152: one conversation, one carrier.
        static byte[] Datagram(string from, string to, byte[] inner, params byte[][] extensions) =>
            Packets.Ethernet(Packets.Ipv4(from, to, IpProtocol.Udp, Packets.Udp(2152, 2152, Packets.GtpU(inner, extensions: extensions))));
        var protocols = AssertOneOpeningInside("gtpu.pcap",
            Datagram("192.0.2.1", "192.0.2.2", Request, [0x10, 9]),
            Datagram("192.0.2.2", "192.0.2.1", Answer, [0x00, 9], [0x10, 9, 0, 0, 0]),
            Datagram("192.0.2.1", "192.0.2.2", [0x00, 0x01, 0x02, 0x03]), carriers: 1);
        Assert.Equal(["eth:ethertype:ip:udp:gtp:ip:tcp", "eth:ethertype:ip:udp:gtp:ip:tcp"], protocols[..2]);
    }

    [NeedsProgramFact("tshark")]
    public void L2tp_carriers_and_the_flows_inside_are_the_ones_tshark_dissects()
    {
        // No capture of ../shared has L2TP carrying IP (pn-l2tp.pcap's data message is LCP): a client and its access
        // concentrator, both on 1701, exchange a user's packets in data messages, one with its length and Ns and Nr, the
        // other with an offset pad and a compressed protocol field; the link's LCP is L2TP's own flow, no carrier's.
        static byte[] Datagram(string from, string to, byte[] l2tp) =>
            Packets.Ethernet(Packets.Ipv4(from, to, IpProtocol.Udp, Packets.Udp(1701, 1701, l2tp)));
        var protocols = AssertOneOpeningInside("l2tp.pcap",
            Datagram("192.0.2.1", "192.0.2.2", Packets.L2tpData(Packets.Ppp(0x0021, Request), length: true, sequence: true)),
            Datagram("192.0.2.2", "192.0.2.1", Packets.L2tpData(Packets.Ppp(0x0021, Answer, compressed: true), pad: 2)),
            Datagram("192.0.2.1", "192.0.2.2", Packets.L2tpData(Packets.Ppp(0xC021, [9, 1, 0, 8, 0, 0, 0, 1]))), carriers: 1);
        Assert.Equal(["eth:ethertype:ip:udp:l2tp:ppp:ip:tcp", "eth:ethertype:ip:udp:l2tp:ppp:ip:tcp", "eth:ethertype:ip:udp:l2tp:ppp:lcp"], protocols);
    }

    [NeedsProgramFact("tshark")]
    public void Mirror_sessions_and_the_conversations_they_copy_are_the_ones_tshark_dissects()
    {
        // No capture of ../shared has ERSPAN: two switches mirror one conversation to an analyser, one in type II, the
        // other in type III with its platform sub-header.
        static byte[] Mirrored(string from, int type, byte[] frame, bool platform = false) =>
            Packets.Ethernet(Packets.Ipv4(from, "192.0.2.50", IpProtocol.Gre, Packets.Erspan(type, frame, platform: platform)));
        var protocols = AssertOneOpeningInside("erspan.pcap",
            Mirrored("192.0.2.1", 2, Packets.Ethernet(Request)),
            Mirrored("192.0.2.2", 3, Packets.Ethernet(Answer), platform: true),
            Mirrored("192.0.2.1", 2, NotIp));
        Assert.Equal(["eth:ethertype:ip:gre:erspan:eth:ethertype:ip:tcp", "eth:ethertype:ip:gre:erspan:eth:ethertype:ip:tcp"], protocols[..2]);
    }

    // The opening of an SMB connection, each packet carried by a tunnel of the test's, and a frame that is not IP, which
    // only its carrier counts.
    private static readonly byte[] Request = Packets.Ipv4("10.1.0.7", "10.2.0.9", IpProtocol.Tcp, Packets.Tcp(40000, 445, Packets.Syn));
    private static readonly byte[] Answer = Packets.Ipv4("10.2.0.9", "10.1.0.7", IpProtocol.Tcp, Packets.Tcp(445, 40000, Packets.Syn | Packets.Ack));
    private static readonly byte[] NotIp = Packets.EthernetOf(PacketDotNet.EthernetType.Arp, new byte[28]);

    // A capture of the three frames, a millisecond apart: carriers as tshark shows them (two unless said), and inside one
    // TCP flow of a packet each way, the opening's. Returns tshark's protocols of each frame.
    private static string[] AssertOneOpeningInside(string name, byte[] request, byte[] answer, byte[] notIp, int carriers = 2)
    {
        var capture = new PcapBuilder().Add(request, 0).Add(answer, 0.001).Add(notIp, 0.002);
        using var dir = new TempDirectory();
        string path = dir.File(name);
        File.WriteAllBytes(path, capture.Build());

        Assert.Equal(carriers, Compare(path));
        var inner = Assert.Single(FlowRunner.Run(path).Flows, f => f.Protocol == IpProtocol.Tcp);
        Assert.Equal(("10.1.0.7", "10.2.0.9", (ushort)445, 1L, 1L), (inner.Client.ToString(), inner.Server.ToString(), inner.ServerPort,
            inner.PacketsToServer, inner.PacketsToClient));
        return External.Run("tshark", "-r", path, "-T", "fields", "-e", "frame.protocols")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Trim()).ToArray();
    }

    // Our carriers of the capture at path against tshark's: they must be the same; returns how many.
    private static int Compare(string path)
    {
        // A carrier has no detail; the datagrams on the same ports that carry no packet (GTP-U's echoes, L2TP's control
        // messages) are a flow of their own, which their inspector names with one.
        var ours = FlowRunner.Run(path).Flows
            .Where(f => f.Protocol is IpProtocol.IpInIp or IpProtocol.Ipv6InIp or IpProtocol.Gre || f.App == AppLabel.Vxlan || f.App == AppLabel.Geneve
                || (f.App == AppLabel.GtpU || f.App == AppLabel.L2tp) && f.AppDetail is null)
            .ToDictionary(f => Key(f.Transport, End(f.Client, f.ClientPort), End(f.Server, f.ServerPort)), Counts);
        var theirs = TsharkCarriers(path);
        Assert.True(ours.Count > 0, path);
        Assert.Equal(theirs.OrderBy(c => c.Key).ToList(), ours.OrderBy(c => c.Key).ToList());
        return ours.Count;
    }

    // An end as the keys write it: the address, and the port of a tunnel in UDP.
    private static string End(IpAddr address, ushort port) => port == 0 ? address.ToString() : $"{address}:{port}";

    // The direction left out of the key, the counts kept by direction: from the lower address to the higher, and back.
    private static string Key(string transport, string a, string b) =>
        string.CompareOrdinal(a, b) < 0 ? $"{transport} {a} {b}" : $"{transport} {b} {a}";

    private static (long, long, long, long) Counts(Flow f) =>
        string.CompareOrdinal(End(f.Client, f.ClientPort), End(f.Server, f.ServerPort)) < 0
            ? (f.PacketsToServer, f.BytesToServer, f.PacketsToClient, f.BytesToClient)
            : (f.PacketsToClient, f.BytesToClient, f.PacketsToServer, f.BytesToServer);

    /// <summary>
    /// tshark's frames whose outermost IP layer is followed by another IP layer, GRE, or UDP that tshark dissects as VXLAN,
    /// Geneve, a GTP-U G-PDU (version 1, protocol type GTP: the same dissector shows GTP', which base.pcap's damaged
    /// frame 25568 is) or L2TP whose PPP frame is IPv4 or IPv6, fragments not reassembled, so that each frame counts where it was captured, summed per pair of
    /// outer ends and tunnel protocol.
    /// </summary>
    private static Dictionary<string, (long, long, long, long)> TsharkCarriers(string path)
    {
        var sums = new Dictionary<string, (long, long, long, long)>();
        var lines = External.Run("tshark", "-r", path, "-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE",
                "-T", "fields", "-E", "separator=/t", "-e", "frame.protocols", "-e", "ip.src", "-e", "ip.dst", "-e", "ip.len",
                "-e", "ipv6.src", "-e", "ipv6.dst", "-e", "ipv6.plen", "-e", "udp.srcport", "-e", "udp.dstport", "-e", "gtp.message", "-e", "gtp.flags")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var line in lines)
        {
            var f = line.TrimEnd('\r').Split('\t');
            if (TsharkIpLayers.Of(f[0], f[1], f[4]) is not [var outer, ..]) continue;
            bool overlay = outer.Next == "udp" && (f[0].Contains(":udp:vxlan:", StringComparison.Ordinal) || f[0].Contains(":udp:geneve:", StringComparison.Ordinal)
                || (f[0].EndsWith(":udp:gtp", StringComparison.Ordinal) || f[0].Contains(":udp:gtp:", StringComparison.Ordinal))
                    && f[9] == "0xff" && (Convert.ToInt32(f[10], 16) & 0xF8) == 0x30
                || f[0].Contains(":udp:l2tp:ppp:ip", StringComparison.Ordinal));
            string? transport = outer.Next switch { "ip" => "ipip", "ipv6" => "ipv6", "gre" => "gre", _ => overlay ? "udp" : null };
            if (transport is null) continue;
            string source = Address(outer.Of(f[outer.V6 ? 4 : 1])), destination = Address(outer.Of(f[outer.V6 ? 5 : 2]));
            // The outer UDP header is the frame's first: its ports are the first of each field.
            if (overlay) (source, destination) = ($"{source}:{f[7].Split(',')[0]}", $"{destination}:{f[8].Split(',')[0]}");
            long bytes = outer.V6 ? long.Parse(outer.Of(f[6])) + 40 : long.Parse(outer.Of(f[3]));
            var key = Key(transport, source, destination);
            var (lowPackets, lowBytes, highPackets, highBytes) = sums.GetValueOrDefault(key);
            sums[key] = string.CompareOrdinal(source, destination) < 0
                ? (lowPackets + 1, lowBytes + bytes, highPackets, highBytes)
                : (lowPackets, lowBytes, highPackets + 1, highBytes + bytes);
        }
        return sums;
    }

    // Written as we write addresses, for the keys to meet.
    private static string Address(string value) => IpAddr.Parse(value).ToString();
}
