using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Inspect.Protocols;
using static PortAudit.Tests.Inspect.InspectorHarness;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// CAPWAP's preamble and header (RFC 5415 4.1 to 4.3) on the control and data ports: a control message whose element
/// length fills the datagram, a data channel's frame, the DTLS that protects the control channel (read beside the claim,
/// a ClientHello saying which side is the access point); bytes off those ports, or whose lengths disagree, are not it.
/// base.pcap's controller, read by tshark, is in TlsServerHelloTsharkTests and ServerCertificateTsharkTests.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class CapwapInspectorTests
{
    private const ushort Control = 5246, Data = 5247;

    // A preamble of version 0 and type 0, HLEN 2 words (8 bytes), then a control message of type 1 (Discovery Request)
    // with no element: its element length counts the 3 bytes after the sequence number.
    private static readonly byte[] DiscoveryRequest = Hex("00 10 0000 0000 0000  00000001 00 0003 00");

    [Fact]
    public void A_control_message_on_the_control_port_is_capwap_control_and_says_the_access_point_sent_it()
    {
        Assert.Equal((InspectResult.Partial, "control", true), OnControlPort(DiscoveryRequest, fromClient: true));
    }

    [Fact]
    public void A_data_channels_frame_is_capwap_data()
    {
        var (result, detail) = Converse(new CapwapInspector(), false, Data, (true, Hex("00 10 4220 0000 0000  0801 0000 ffff ffff ffff")));
        Assert.Equal((InspectResult.Partial, "data"), (result, detail));
    }

    [Fact]
    public void The_dtls_of_the_control_channel_is_read_beside_the_claim_and_its_client_hello_is_the_access_points()
    {
        byte[] hello = [0x01, 0, 0, 0, .. TlsInspectorTests.ClientHello("wlc.example", dtls: true)];
        // Seen from the side the flow took for the server; the client's hello is not written: the detail is the channel's.
        Assert.Equal((InspectResult.Partial, "control", true), OnControlPort(hello, fromClient: false));
    }

    // One datagram on a fresh flow to the control port: the result, the detail and who the inspector says sent it.
    private static (InspectResult, string?, bool?) OnControlPort(byte[] datagram, bool fromClient, ushort clientPort = 50000)
    {
        var flow = new Flow(1, IpProtocol.Udp, IpAddr.FromV4(0xC0000201), clientPort, IpAddr.FromV4(0xC0000202), Control, 0, false);
        ulong scratch = 0;
        var input = new InspectionInput(flow, datagram, fromClient, false, 0, ref scratch);
        var result = new CapwapInspector().Inspect(ref input);
        return (result, flow.AppDetail?.ToString(), input.SentByClient);
    }

    [Fact]
    public void A_datagram_that_names_no_sender_is_the_access_points_when_it_goes_to_the_controllers_port()
    {
        // A DTLS alert (content type 21): no hello says who sent it; the flow took the controller (on 5246) for its client.
        byte[] alert = Hex("01 000000  15 fefd 0000 000000000001 0002 0100");
        var flow = new Flow(1, IpProtocol.Udp, IpAddr.FromV4(0xC0A80A09), Control, IpAddr.FromV4(0xC0A80A0A), 12379, 0, false);
        ulong scratch = 0;
        var fromController = new InspectionInput(flow, alert, true, false, 0, ref scratch);
        // Past the handshake: CAPWAP, and nothing more for the DTLS reading to settle.
        Assert.Equal(InspectResult.Match, new CapwapInspector().Inspect(ref fromController));
        Assert.Equal((false, "control"), (fromController.SentByClient, flow.AppDetail?.ToString()));
        // Both ends on CAPWAP's ports: nothing said.
        Assert.Null(OnControlPort(alert, fromClient: true, clientPort: Control).Item3);
        Assert.Equal(true, OnControlPort(alert, fromClient: true).Item3);
    }

    [Theory]
    // Off CAPWAP's ports.
    [InlineData(5000, "00 10 0000 0000 0000  00000001 00 0003 00")]
    // HLEN 1 word: shorter than the header; HLEN past the datagram.
    [InlineData(Control, "00 08 0000 0000 0000  00000001 00 0003 00")]
    [InlineData(Control, "00 f8 0000 0000 0000  00000001 00 0003 00")]
    // An enterprise other than IANA's, a message type past 26, an element length that does not fill the datagram.
    [InlineData(Control, "00 10 0000 0000 0000  00000101 00 0003 00")]
    [InlineData(Control, "00 10 0000 0000 0000  0000001b 00 0003 00")]
    [InlineData(Control, "00 10 0000 0000 0000  00000001 00 0009 00")]
    // A DTLS header whose reserved bytes are not zero, or with no DTLS record after it; another preamble version.
    [InlineData(Control, "01 00 00 01 16 fefd 0000 000000000000 0000")]
    [InlineData(Control, "01 00 00 00 00 0000 0000 000000000000 0000")]
    [InlineData(Control, "10 10 0000 0000 0000  00000001 00 0003 00")]
    public void Bytes_that_are_not_capwap_there_are_not_claimed(ushort port, string hex) =>
        Assert.Equal(InspectResult.NoMatch, Converse(new CapwapInspector(), false, port, (true, Hex(hex))).Result);
}
