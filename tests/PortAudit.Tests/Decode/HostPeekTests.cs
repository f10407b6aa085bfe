using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Sources.Files;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Decode;

/// <summary>
/// <see cref="PacketDecoder.TryPeekTcpHosts"/> places a packet in a split run without decoding it: wherever it answers and
/// the packet decodes, it must give the decoded packet's addresses, or a shard would keep another's packets.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class HostPeekTests
{
    [Fact]
    public void A_tcp_packet_over_ipv4_in_ethernet_is_peeked_at_its_addresses()
    {
        var frame = Ethernet(Ipv4("10.1.2.3", "192.0.2.7", IpProtocol.Tcp, Tcp(50000, 445, Syn)));
        Assert.True(PacketDecoder.TryPeekTcpHosts((int)LinkType.Ethernet, frame, out var source, out var destination));
        Assert.Equal(IpAddr.Parse("10.1.2.3"), source);
        Assert.Equal(IpAddr.Parse("192.0.2.7"), destination);
    }

    [Fact]
    public void Tags_tunnels_udp_icmp_and_other_links_are_left_to_the_decoder()
    {
        var tcp = Ipv4("10.1.2.3", "192.0.2.7", IpProtocol.Tcp, Tcp(50000, 445, Syn));
        byte[][] frames =
        [
            Ethernet(tcp, 0x8100),
            Ethernet(Ipv4("198.51.100.1", "198.51.100.2", IpProtocol.Gre, Gre(0x0800, tcp))),
            Ethernet(Ipv4("10.1.2.3", "192.0.2.7", IpProtocol.Udp, Udp(5000, 53))),
            Ethernet(Ipv4("192.0.2.7", "10.1.2.3", IpProtocol.Icmp, Unreachable(v6: false, 3, tcp))),
            Ethernet(Ipv6("2001:db8::1", "2001:db8::2", IpProtocol.Tcp, Tcp(50000, 445, Syn))),
            Ethernet(tcp)[..30],
        ];
        foreach (var frame in frames) Assert.False(PacketDecoder.TryPeekTcpHosts((int)LinkType.Ethernet, frame, out _, out _));
        Assert.False(PacketDecoder.TryPeekTcpHosts((int)LinkType.Raw, tcp, out _, out _));
    }

    [SharedDataFact("captures")]
    public void Every_packet_peeked_in_the_shared_captures_decodes_to_the_same_hosts()
    {
        int peeked = 0;
        var captures = Directory.EnumerateFiles(SharedData.Path("captures")!)
            .Where(path => path.EndsWith(".pcap", StringComparison.Ordinal) || path.EndsWith(".pcapng", StringComparison.Ordinal))
            .Append(SharedData.Path("bench/base.pcap")!).Where(File.Exists);
        foreach (var path in captures)
        {
            using var reader = CaptureFile.Open(path);
            try
            {
                while (reader.TryRead(out var record))
                {
                    if (!PacketDecoder.TryPeekTcpHosts(record.LinkType, record.Data, out var source, out var destination)) continue;
                    peeked++;
                    if (PacketDecoder.Decode(record.LinkType, record.Data, out var packet) != DecodeStatus.Ok) continue;
                    Assert.False(packet.Quote.Present, path);
                    Assert.True(packet.Source == source && packet.Destination == destination,
                        $"{path}, frame at byte {record.FileOffset}: peeked {source} > {destination}, decoded {packet.Source} > {packet.Destination}");
                }
            }
            catch (CaptureFormatException)
            {
                // A damaged capture's records before the damage were checked.
            }
        }
        Assert.True(peeked > 1_000, $"only {peeked} packets peeked");
    }
}
