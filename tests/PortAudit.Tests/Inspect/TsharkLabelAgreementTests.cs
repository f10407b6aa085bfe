using PortAudit.Flows;
using PortAudit.Tests.Live;
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
    public sealed record Case(string Capture, string Label, string Filter, int Conversations, int OursOnly = 0, string? Reason = null);

    // tshark ties an active-mode data connection to its PORT command only when the server sends from port 20.
    private const string ActiveFromAnotherPort = "the server opens active-mode data connections from ports other than 20";

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
                string path = SharedData.Path(c.Capture)!;
                var tshark = Tshark(path, c.Filter);
                var ours = InspectTestData.Inspect(path).Flows.Where(f => f.App?.Name == c.Label).Select(Key).ToHashSet();
                theirs += tshark.Count;
                agreed += tshark.Count(ours.Contains);
                if (c.Reason is not null) output.WriteLine($"explained: {c.Capture} {c.Label}: {c.OursOnly} more of ours: {c.Reason}");
                if (!tshark.IsSubsetOf(ours) || ours.Count - tshark.Count != c.OursOnly || tshark.Count != c.Conversations)
                    failures.Add($"{c.Capture} {c.Label}: tshark {tshark.Count}, ours {ours.Count}; tshark only [{string.Join(" | ", tshark.Except(ours))}] ours only [{string.Join(" | ", ours.Except(tshark))}]");
            }
            output.WriteLine($"{group.Key}: {agreed} of {theirs} tshark conversations agree over {group.Count()} captures");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static string Key(Flow flow) => Key(flow.Transport, flow.Client.ToString(), flow.ClientPort.ToString(), flow.Server.ToString(), flow.ServerPort.ToString());

    // Direction left out: tshark's first packet need not be the client's.
    private static string Key(string transport, string a, string aPort, string b, string bPort)
    {
        string one = $"{a} {aPort}", two = $"{b} {bPort}";
        return string.CompareOrdinal(one, two) < 0 ? $"{transport} {one} {two}" : $"{transport} {two} {one}";
    }

    private static HashSet<string> Tshark(string path, string filter)
    {
        string fields = External.Run("tshark", "-r", path, "-Y", filter, "-T", "fields", "-e", "ip.src", "-e", "ipv6.src", "-e", "ip.dst",
            "-e", "ipv6.dst", "-e", "tcp.srcport", "-e", "udp.srcport", "-e", "tcp.dstport", "-e", "udp.dstport");
        var keys = new HashSet<string>();
        foreach (var line in fields.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split('\t');
            // A packet inside a tunnel or an ICMP quote repeats fields: the outermost (first) value is the packet's own.
            string First(int i) => f[i].Split(',')[0];
            bool tcp = First(4).Length > 0;
            keys.Add(Key(tcp ? "tcp" : "udp", First(0) + First(1), tcp ? First(4) : First(5), First(2) + First(3), tcp ? First(6) : First(7)));
        }
        return keys;
    }
}
