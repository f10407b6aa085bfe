using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Tests.Sources.Live;
using Xunit.Abstractions;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// Our labels against tshark's dissectors on the real captures of issue 20: per protocol, the conversations tshark
/// decodes as it (a display filter) against the flows we label so. Prints the agreement per protocol; fails on any
/// conversation one side has and the other has not, unless the case names the difference and why.
/// </summary>
[Trait(Tier.Name, Tier.Peer)]
public class TsharkLabelAgreementTests(ITestOutputHelper output)
{
    /// <summary>
    /// A protocol on a capture: our label, tshark's filter, how many conversations tshark decodes so, and how many more
    /// we label, with the reason.
    /// </summary>
    public sealed record Case(string Capture, string Label, string Filter, int Conversations, int OursOnly = 0, string? Reason = null, int TsharkOnly = 0);

    // tshark ties an active-mode data connection to its PORT command only when the server sends from port 20.
    private const string ActiveFromAnotherPort = "the server opens active-mode data connections from ports other than 20";

    // tshark decodes by port what carries no signature of the protocol.
    private const string MalformedTftp = "a read request of ten NUL bytes before its mode: no file name and mode to read; tshark decodes port 69";

    private static readonly Case[] Cases =
    [
        new("captures-extra/zeek-ftp-ipv4.pcap", "ftp", "ftp", 1),
        new("captures-extra/zeek-ftp-ipv4.pcap", "ftp-data", "ftp-data", 2, 2, ActiveFromAnotherPort),
        new("captures-extra/zeek-ftp-ipv6.pcap", "ftp", "ftp", 1),
        new("captures-extra/zeek-ftp-ipv6.pcap", "ftp-data", "ftp-data", 3, 2, ActiveFromAnotherPort),
        new("captures-extra/sv-ftp-download-active.pcap", "ftp", "ftp", 1),
        new("captures-extra/sv-ftp-download-active.pcap", "ftp-data", "ftp-data", 3),
        new("captures-extra/zeek-dns-mdns.pcap", "dns", "mdns", 2),
        new("captures-extra/cl-printnightmare-packetcapture_2.pcap", "dcerpc", "dcerpc", 11),
        new("captures-extra/hc-wmiexec.pcapng", "dcerpc", "dcerpc", 2),
        new("captures-extra/sv-dcerpc-dce-iface-many.pcap", "dcerpc", "dcerpc", 1),
        new("captures-extra/sv-dce-gap-handling.pcap", "dcerpc", "dcerpc", 1),
        // SIP and the media its SDP announced.
        new("captures/sip.pcap", "sip", "sip", 2),
        new("captures/dlt_ppp.pcap", "quic", "quic", 1),
        new("captures/sip.pcap", "rtp", "rtp", 1),
        new("captures/sip.pcap", "rtcp", "rtcp", 1),
        new("captures-extra/hep-sip_ipv4_tcp.pcap", "sip", "sip", 1),
        new("captures-extra/hep-sip_ipv4_tcp.pcap", "rtp", "rtp", 1),
        new("captures-extra/hep-sip_ipv4_tcp.pcap", "rtcp", "rtcp", 1),
        new("captures-extra/snort-SIP_Eyebeam2Eyebeam_Video_Audio.pcap", "sip", "sip", 15),
        new("captures-extra/snort-SIP_Eyebeam2Eyebeam_Video_Audio.pcap", "rtp", "rtp", 2),
        new("repo:captures/sip-lab.pcapng", "sip", "sip", 2),
        new("captures-extra/ndpi-tftp.pcap", "tftp", "tftp", 9, Reason: MalformedTftp, TsharkOnly: 1),
        new("captures-extra/ndpi-sccp_hw_conf_register.pcapng", "sccp", "skinny", 1),
        new("captures-extra/zeek-dhcp-dhcp.pcap", "dhcp", "dhcp", 4),
        new("captures-extra/ark-wireshark-dhcpv6.pcap", "dhcpv6", "dhcpv6", 2),
        new("captures-extra/ndpi-ssdp-m-search-ua.pcap", "ssdp", "ssdp", 1),
        new("captures-extra/zeek-raw_packets.pcap", "ssdp", "ssdp", 1),
        new("captures-extra/zeek-rdp-rdpeudp-handshake-success.pcap", "rdpeudp", "rdpudp", 1),
        new("captures-extra/zeek-rdp-rdpeudp2-handshake-success.pcap", "rdpeudp", "rdpudp", 1),
        new("captures-extra/ndpi-rdp2.pcap", "rdpeudp", "rdpudp", 3),
        new("captures-extra/ndpi-rtsp.pcap", "rtsp", "rtsp", 7),
        new("captures-extra/tcpd-pptp.pcap", "pptp", "pptp", 1),
        new("captures-extra/ndpi-pptp.pcap", "pptp", "pptp", 1),
        new("captures-extra/zeek-rfb-vncmac.pcap", "vnc", "vnc", 3),
        new("captures-extra/ndpi-telnet.pcap", "telnet", "telnet", 1),
        new("captures-extra/pn-l2tp.pcap", "l2tp", "l2tp", 1),
        // A Create Session exchange and its Delete Session, one conversation between an MME and an SGW.
        new("bench/base.pcap", "gtp-c", "gtpv2 || (gtp && udp.port == 2123)", 1),
    ];

    [NeedsProgramFact("tshark", shared: "captures-extra")]
    public void EachProtocolAgreesWithTshark()
    {
        var failures = new List<string>();
        foreach (var group in Cases.GroupBy(c => c.Label))
        {
            int theirs = 0, agreed = 0;
            foreach (var c in group)
            {
                string path = c.Capture.StartsWith("repo:", StringComparison.Ordinal) ? SharedData.InRepository(c.Capture[5..]) : SharedData.Path(c.Capture)!;
                var tshark = Tshark(path, c.Filter);
                var ours = InspectTestData.Inspect(path).Flows.Where(f => f.App?.Name == c.Label).Select(Key).ToHashSet();
                theirs += tshark.Count;
                agreed += tshark.Count(ours.Contains);
                if (c.Reason is not null) output.WriteLine($"explained: {c.Capture} {c.Label}: {c.OursOnly} more of ours, {c.TsharkOnly} more of tshark's: {c.Reason}");
                if (tshark.Except(ours).Count() != c.TsharkOnly || ours.Except(tshark).Count() != c.OursOnly || tshark.Count != c.Conversations)
                    failures.Add($"{c.Capture} {c.Label}: tshark {tshark.Count}, ours {ours.Count}; tshark only [{string.Join(" | ", tshark.Except(ours))}] ours only [{string.Join(" | ", ours.Except(tshark))}]");
            }
            output.WriteLine($"{group.Key}: {agreed} of {theirs} tshark conversations agree over {group.Count()} captures");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>
    /// Asserts that the conversations tshark's <paramref name="filter"/> shows in <paramref name="capture"/> are the flows
    /// labelled <paramref name="label"/> among <paramref name="flows"/> (inspected from it), and prints the agreement.
    /// </summary>
    internal static void AssertAgreement(ITestOutputHelper output, string capture, IEnumerable<Flow> flows, string label, string filter,
        params string[] decodeAs)
    {
        var ours = flows.Where(f => f.App?.Name == label).Select(Key).ToHashSet();
        var tshark = Tshark(capture, filter, decodeAs);
        output.WriteLine($"{label}: {tshark.Count(ours.Contains)} of {tshark.Count} tshark conversations agree, {ours.Count} labelled");
        Assert.NotEmpty(ours);
        Assert.Equal(tshark.Order(), ours.Order());
    }

    /// <summary>A flow's conversation key, direction left out, as <see cref="Tshark"/> gives them.</summary>
    internal static string Key(Flow flow) => Key(flow.Transport, flow.Client.ToString(), flow.ClientPort.ToString(), flow.Server.ToString(), flow.ServerPort.ToString());

    // Direction left out: tshark's first packet need not be the client's.
    private static string Key(string transport, string a, string aPort, string b, string bPort)
    {
        string one = $"{a} {aPort}", two = $"{b} {bPort}";
        return string.CompareOrdinal(one, two) < 0 ? $"{transport} {one} {two}" : $"{transport} {two} {one}";
    }

    /// <summary>
    /// The conversations of <paramref name="path"/> with a packet tshark's <paramref name="filter"/> shows, its dissectors
    /// told <paramref name="decodeAs"/> (tshark's <c>-d</c>, for a protocol it finds by port only).
    /// </summary>
    internal static HashSet<string> Tshark(string path, string filter, params string[] decodeAs) =>
        Conversations(path, filter, [], decodeAs).Select(c => c.Key).ToHashSet();

    /// <summary>
    /// Per conversation of <paramref name="path"/>, the values of <paramref name="fields"/> in its first packet that
    /// tshark's <paramref name="filter"/> shows (each field's first value when the packet repeats it).
    /// </summary>
    internal static Dictionary<string, string[]> FirstValues(string path, string filter, string[] fields, params string[] decodeAs)
    {
        var first = new Dictionary<string, string[]>();
        foreach (var (key, values) in Conversations(path, filter, fields, decodeAs)) first.TryAdd(key, values);
        return first;
    }

    private static IEnumerable<(string Key, string[] Values)> Conversations(string path, string filter, string[] fields, string[] decodeAs)
    {
        const int Fixed = 9;
        string output = External.Run("tshark", ["-r", path, .. decodeAs.SelectMany(d => new[] { "-d", d }), "-Y", filter, "-T", "fields",
            "-e", "ip.src", "-e", "ipv6.src", "-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.srcport", "-e", "udp.srcport", "-e", "tcp.dstport",
            "-e", "udp.dstport", "-e", "frame.protocols", .. fields.SelectMany(f => new[] { "-e", f })]);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split('\t');
            // A packet inside a tunnel or an ICMP quote repeats fields: the outermost (first) value is the packet's own, and
            // of an IPv4 and an IPv6 header (Teredo, 6in4) the one the frame's layers name first.
            string First(int i) => f[i].Split(',')[0];
            int outer = TsharkIpLayers.Of(f[8], f[0], f[1]) is [{ V6: true }, ..] ? 1 : 0;
            bool tcp = First(4).Length > 0;
            yield return (Key(tcp ? "tcp" : "udp", First(outer), tcp ? First(4) : First(5), First(2 + outer), tcp ? First(6) : First(7)),
                [.. Enumerable.Range(Fixed, fields.Length).Select(First)]);
        }
    }
}
