using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Inspect.Sip;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// What an SDP body announces: RTP and RTCP endpoints per media line, against session and media c= lines, and the ICE
/// candidates of each media line.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class SdpReaderTests
{
    private static List<(string Kind, string Address, int Port, string RtcpAddress, int RtcpPort)> Read(string body)
    {
        var found = new List<(string, string, int, string, int)>();
        var reader = new SdpReader(System.Text.Encoding.ASCII.GetBytes(body.Replace("\n", "\r\n")));
        while (reader.TryReadNext(out var media))
            if (media.HasAddress)
                found.Add((System.Text.Encoding.ASCII.GetString(media.Kind), media.Address.ToString(), media.Port,
                media.RtcpAddress.ToString(), media.RtcpPort));
        return found;
    }

    [Fact]
    public void MediaLevelAddressRtcpAttributeAndMux()
    {
        var media = Read("""
            v=0
            o=- 1 1 IN IP4 192.0.2.1
            c=IN IP4 192.0.2.1
            m=audio 50000 RTP/SAVP 0 8
            a=rtcp:50010 IN IP4 192.0.2.9
            m=video 50020 RTP/AVP 96
            c=IN IP4 198.51.100.7/127
            m=audio 50030 UDP/TLS/RTP/SAVPF 111
            a=rtcp-mux
            m=image 50040 udptl t38
            m=audio 0 RTP/AVP 0
            """);
        Assert.Equal(
        [
            ("audio", "192.0.2.1", 50000, "192.0.2.9", 50010),
            ("video", "198.51.100.7", 50020, "198.51.100.7", 50021),
            ("audio", "192.0.2.1", 50030, "192.0.2.1", 0),
        ], media);
    }

    [Fact]
    public void HoldAnnouncesNothingAndEachDescriptionHasItsOwnSession()
    {
        // A multipart body of two alternatives, as Lync offers: the second's media must not take the first's address.
        var media = Read("""
            --boundary
            Content-Type: application/sdp

            v=0
            c=IN IP4 0.0.0.0
            m=audio 6000 RTP/AVP 0
            --boundary
            Content-Type: application/sdp

            v=0
            c=IN IP6 2001:db8::5
            m=audio 6002 RTP/AVP 0
            --boundary--
            """);
        Assert.Equal([("audio", "2001:db8::5", 6002, "2001:db8::5", 6003)], media);
        Assert.Empty(Read("v=0\nm=audio 6000 RTP/AVP 0\n"));
        Assert.Equal(IpAddr.Parse("2001:db8::5").ToString(), media[0].Address);
    }

    private static List<(string Kind, int Component, string Transport, string Address, int Port, string Type, string TcpType, bool Receives)> Candidates(string body)
    {
        var found = new List<(string, int, string, string, int, string, string, bool)>();
        var reader = new SdpReader(System.Text.Encoding.ASCII.GetBytes(body.Replace("\n", "\r\n")));
        while (reader.TryReadNext(out var media))
        {
            var candidates = media.Candidates;
            while (candidates.TryReadNext(out var c))
                found.Add((System.Text.Encoding.ASCII.GetString(media.Kind), c.Component, c.Transport == IpProtocol.Tcp ? "tcp" : "udp",
                    c.Address.ToString(), c.Port, System.Text.Encoding.ASCII.GetString(c.Type), System.Text.Encoding.ASCII.GetString(c.TcpType), c.Receives));
        }
        return found;
    }

    [Fact]
    public void CandidatesOfEachMediaWithTheirTypeTransportAndTcpType()
    {
        // RFC 8839 5.1 and RFC 6544 candidates as a browser writes them; the first media's last candidate is an mDNS name.
        var found = Candidates("""
            v=0
            c=IN IP4 192.0.2.1
            m=audio 50000 UDP/TLS/RTP/SAVPF 111
            a=candidate:1 1 udp 2122260223 192.0.2.1 50000 typ host generation 0
            a=candidate:2 2 UDP 2122260222 192.0.2.1 50001 typ host
            a=candidate:3 1 udp 1686052607 203.0.113.4 61000 typ srflx raddr 192.0.2.1 rport 50000
            a=candidate:4 1 udp 41885439 198.51.100.9 49170 typ relay raddr 203.0.113.4 rport 61000
            a=candidate:5 1 tcp 1518280447 192.0.2.1 9 typ host tcptype active
            a=candidate:6 1 tcp 1518280446 192.0.2.1 50100 typ host tcptype passive
            a=candidate:7 1 udp 2122260223 4f3c2a1b-8d7e.local 50002 typ host
            m=video 50010 RTP/AVP 96
            a=candidate:8 1 TCP 1518280445 2001:db8::7 50200 typ host tcptype so
            """);
        Assert.Equal(
        [
            ("audio", 1, "udp", "192.0.2.1", 50000, "host", "", true),
            ("audio", 2, "udp", "192.0.2.1", 50001, "host", "", true),
            ("audio", 1, "udp", "203.0.113.4", 61000, "srflx", "", true),
            ("audio", 1, "udp", "198.51.100.9", 49170, "relay", "", true),
            ("audio", 1, "tcp", "192.0.2.1", 9, "host", "active", false),
            ("audio", 1, "tcp", "192.0.2.1", 50100, "host", "passive", true),
            ("video", 1, "tcp", "2001:db8::7", 50200, "host", "so", true),
        ], found);
    }

    [Fact]
    public void MsIce2TransportsAndAMediaOnHoldStillGiveTheirCandidates()
    {
        // Lync writes TCP-PASS and TCP-ACT (MS-ICE2); a c= of 0.0.0.0 announces no default, its candidates still stand.
        var found = Candidates("""
            v=0
            c=IN IP4 0.0.0.0
            m=audio 9 RTP/AVP 0
            a=candidate:1 1 TCP-PASS 174455807 10.0.0.5 50144 typ relay raddr 10.0.0.9 rport 50144
            a=candidate:2 1 TCP-ACT 174848511 10.0.0.9 50144 typ srflx raddr 10.0.0.9 rport 50144
            """);
        Assert.Equal(
        [
            ("audio", 1, "tcp", "10.0.0.5", 50144, "relay", "passive", true),
            ("audio", 1, "tcp", "10.0.0.9", 50144, "srflx", "active", false),
        ], found);
        Assert.Empty(Read("v=0\nc=IN IP4 0.0.0.0\nm=audio 9 RTP/AVP 0\na=candidate:1 1 UDP 1 10.0.0.5 50144 typ host\n"));
    }

    [Theory]
    [InlineData("a=candidate:1 1 udp 1 192.0.2.1 50000")] // no typ
    [InlineData("a=candidate:1 1 udp 1 192.0.2.1 50000 type host")]
    [InlineData("a=candidate:1 0 udp 1 192.0.2.1 50000 typ host")] // component 0
    [InlineData("a=candidate:1 1 sctp 1 192.0.2.1 50000 typ host")]
    [InlineData("a=candidate:1 1 udp 1x 192.0.2.1 50000 typ host")]
    [InlineData("a=candidate:1 1 udp 1 192.0.2.1 0 typ host")]
    [InlineData("a=candidate:1 1 udp 1 192.0.2.1 65536 typ host")]
    [InlineData("a=candidate:1 1 udp 1 host.example 50000 typ host")]
    [InlineData("a=candidate:")]
    public void AMalformedCandidateIsSkipped(string line) =>
        Assert.Empty(Candidates($"v=0\nc=IN IP4 192.0.2.1\nm=audio 50000 RTP/AVP 0\n{line}\n"));
}
