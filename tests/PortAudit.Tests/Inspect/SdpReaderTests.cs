using PortAudit.Decode;
using PortAudit.Inspect.Sip;

namespace PortAudit.Tests.Inspect;

/// <summary>What an SDP body announces: RTP and RTCP endpoints per media line, against session and media c= lines.</summary>
[Trait(Tier.Name, Tier.Unit)]
public class SdpReaderTests
{
    private static List<(string Kind, string Address, int Port, string RtcpAddress, int RtcpPort)> Read(string body)
    {
        var found = new List<(string, string, int, string, int)>();
        var reader = new SdpReader(System.Text.Encoding.ASCII.GetBytes(body.Replace("\n", "\r\n")));
        while (reader.TryReadNext(out var media))
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
}
