using PortAudit.Decode;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Decode;

[Trait(Tier.Name, Tier.Unit)]
public class LinkTypeTests
{
    private static readonly byte[] V4 = Ipv4("192.0.2.1", "192.0.2.2", 6, Tcp(40000, 443, Syn));
    private static readonly byte[] V6 = Ipv6("2001:db8::1", "2001:db8::2", 17, Udp(40000, 53));

    public static TheoryData<string, int, byte[]> Frames() => new()
    {
        { "ethernet", 1, Ethernet(V4) },
        { "802.1Q", 1, Ethernet(V4, 0x8100) },
        { "802.1ad QinQ", 1, Ethernet(V6, 0x88A8, 0x8100) },
        { "linux sll", 113, Concat(new byte[] { 0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00 }, V4) },
        { "linux sll2", 276, Concat(new byte[] { 0x86, 0xDD, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0 }, V6) },
        { "raw 12", 12, V4 },
        { "raw 14", 14, V6 },
        { "raw 101", 101, V4 },
        { "ipv4 228", 228, V4 },
        { "ipv6 229", 229, V6 },
        { "null little-endian", 0, Concat(new byte[] { 2, 0, 0, 0 }, V4) },
        { "null big-endian ipv6", 0, Concat(new byte[] { 0, 0, 0, 30 }, V6) },
        { "loop", 108, Concat(new byte[] { 0, 0, 0, 2 }, V4) },
        { "ppp", 9, Concat(new byte[] { 0xFF, 0x03, 0x00, 0x21 }, V4) },
        { "ppp compressed", 9, Concat(new byte[] { 0x57 }, V6) },
        { "ppp hdlc", 50, Concat(new byte[] { 0xFF, 0x03, 0x00, 0x57 }, V6) },
        { "pppoe", 1, PppoeSession(V4) },
    };

    [Theory]
    [MemberData(nameof(Frames))]
    public void EveryLinkTypeReachesTheTransport(string name, int linkType, byte[] frame)
    {
        Assert.True(PacketDecoder.Decode(linkType, frame, out var p) == DecodeStatus.Ok, name);
        Assert.True(p.HasPorts, name);
        Assert.Equal(40000, p.SourcePort);
        Assert.Equal(p.IpVersion == 4 ? V4.Length : V6.Length, p.IpBytes);
    }

    [Fact]
    public void UnknownLinkTypeIsReportedNotGuessed()
    {
        Assert.Equal(DecodeStatus.UnsupportedLinkType, PacketDecoder.Decode(147, V4, out _));
    }

    [Fact]
    public void ArpIsNotIp()
    {
        var arp = new byte[42];
        arp[12] = 0x08; arp[13] = 0x06;
        Assert.Equal(DecodeStatus.NotIp, PacketDecoder.Decode(1, arp, out _));
    }
}
