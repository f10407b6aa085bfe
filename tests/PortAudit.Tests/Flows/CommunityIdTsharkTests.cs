using PortAudit.Flows;
using PortAudit.Tests.Sources.Live;

namespace PortAudit.Tests.Flows;

/// <summary>
/// Our flows' Community IDs against those Wireshark's communityid post-dissector gives the packets of the same captures.
/// The captures cover TCP and UDP over IPv4 and IPv6, ICMP (echo, destination unreachable), ICMPv6, ESP and tunnels
/// (GRE, 6in4: both sides hash the inner packet). Captures with IP fragments are left out: tshark hashes a fragment
/// that it did not reassemble without ports, where we count it in the flow of its first fragment. An ICMP error that
/// answers one of our flows is folded into that flow, not a flow of its own, so its packet's id is not ours to have.
/// A tunnel's own flow (its carrier: IP protocol 4, 41 or 47 between its ends) has the id tshark gives its packets when it
/// does not open the tunnel (GRE and IPv6 dissection turned off).
/// </summary>
[Trait(Tier.Name, Tier.Peer)]
public class CommunityIdTsharkTests
{
    private static readonly string[] Captures =
    [
        "kerberos.pcap", "KakaoTalk_chat.pcap", "stun.pcap", "6in4tunnel.pcap", "gre.pcapng", "esp.pcapng",
        "zeek-icmp-icmp-destunreach-ip.pcap",
    ];

    [NeedsProgramFact("tshark", shared: "captures")]
    public void Every_flow_has_the_id_tshark_gives_its_packets()
    {
        int compared = 0;
        foreach (var capture in Captures)
        {
            string path = SharedData.Path("captures/" + capture)!;
            var flows = FlowRunner.Run(path).Flows;
            var ours = flows.Where(flow => !IsCarrier(flow)).Select(flow => CommunityId.Of(flow)).ToHashSet();
            var carriers = flows.Where(IsCarrier).Select(flow => CommunityId.Of(flow)).ToHashSet();
            var carried = External.Run("tshark", "-r", path, "--disable-protocol", "gre", "--disable-protocol", "ipv6",
                    "--enable-protocol", "communityid", "-Y", "ip.proto == 4 || ip.proto == 41 || ip.proto == 47", "-T", "fields", "-e", "communityid")
                .Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(id => id.Trim()).ToHashSet();
            Assert.True(carriers.SetEquals(carried),
                $"{capture}: carriers ours only [{string.Join(' ', carriers.Except(carried))}] tshark only [{string.Join(' ', carried.Except(carriers))}]");
            var packets = External.Run("tshark", "-r", path, "--enable-protocol", "communityid", "-T", "fields",
                    "-e", "communityid", "-e", "icmp.type", "-e", "icmpv6.type")
                .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split('\t'))
                .Select(f => (Id: f[0].Trim(), Error: IsIcmpError(f.ElementAtOrDefault(1), f.ElementAtOrDefault(2))))
                .ToList();
            var folded = packets.Where(p => p.Error && !ours.Contains(p.Id)).ToList();
            var theirs = packets.Except(folded).Select(p => p.Id).ToHashSet();
            Assert.True(ours.SetEquals(theirs),
                $"{capture}: ours only [{string.Join(' ', ours.Except(theirs))}] tshark only [{string.Join(' ', theirs.Except(ours))}]");
            Assert.Equal(folded.Count, flows.Sum(f => f.IcmpErrors.Count));
            compared += ours.Count + carriers.Count;
        }
        Assert.True(compared > 80, $"only {compared} ids compared");
    }

    private static bool IsCarrier(Flow flow) => flow.Protocol is PortAudit.Common.IpProtocol.IpInIp or PortAudit.Common.IpProtocol.Ipv6InIp
        or PortAudit.Common.IpProtocol.Gre;

    // ICMP unreachable, source quench, time exceeded, parameter problem; ICMPv6 unreachable, too big, time exceeded, parameter problem.
    private static bool IsIcmpError(string? icmp, string? icmpv6) =>
        (int.TryParse(icmp, out int t4) && t4 is 3 or 4 or 11 or 12) || (int.TryParse(icmpv6, out int t6) && t6 is >= 1 and <= 4);
}
