using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Inspect.Protocols;
using static PortAudit.Tests.Inspect.InspectorHarness;

namespace PortAudit.Tests.Inspect;

[Trait(Tier.Name, Tier.Unit)]
public class StunInspectorTests
{
    private static readonly byte[] Rfc5389Binding = Hex("0001 0008 2112a442 000102030405060708090a0b 8022 0004 74657374");
    private static readonly byte[] ClassicBinding = Hex("0001 0008 00112233445566778899aabbccddeeff 0003 0004 00000000");
    private static readonly byte[] MsTurnAllocate = Hex("0003 0010 00112233445566778899aabbccddeeff 000f 0004 72c64bc6 8008 0004 00000001");

    [Fact]
    public void Rfc5389MessageClaimsTheFlow()
    {
        var (result, flow) = Once(new StunInspector(), Rfc5389Binding, tcp: false);
        Assert.Equal(InspectResult.Partial, result);
        Assert.Equal("binding", flow.AppDetail?.ToString());
    }

    [Fact]
    public void ClassicRfc3489MessageIsRecognised()
    {
        var (result, flow) = Once(new StunInspector(), ClassicBinding, tcp: false);
        Assert.Equal(InspectResult.Partial, result);
        Assert.Equal("binding; rfc3489", flow.AppDetail?.ToString());
    }

    [Fact]
    public void AnMsTurnAllocateWithAnUnpaddedLastAttributeIsRead()
    {
        // Length 113: Magic Cookie and MS-Version attributes, then a 93-byte Username left unpadded, as Lync sends it.
        var message = Hex("0003 0071 00112233445566778899aabbccddeeff 000f 0004 72c64bc6 8008 0004 00000001 0006 005d" + new string('a', 186));
        var flow = NewFlow(tcp: false, 3478);
        Assert.Equal(InspectResult.Match, Run(new StunInspector(), flow, false, true, message));
        Assert.Equal("ms-turn", flow.AppDetail?.ToString());
        // With the RFC 5389 cookie in the header the same length is no STUN message.
        var cookie = message.ToArray();
        cookie[4] = 0x21; cookie[5] = 0x12; cookie[6] = 0xA4; cookie[7] = 0x42;
        Assert.Equal(InspectResult.NoMatch, Once(new StunInspector(), cookie, tcp: false).Result);
    }

    [Fact]
    public void MsTurnAttributesNameTheMicrosoftDialect()
    {
        var flow = NewFlow(false);
        Assert.Equal(InspectResult.Match, Run(new StunInspector(), flow, false, true, ClassicBinding, MsTurnAllocate));
        Assert.Equal("ms-turn", flow.AppDetail?.ToString());
    }

    // stun.pcap's TCP flow 10.77.110.51:41588 to 10.206.50.239:42000, its first segment each way (RFC 4571 framed): ICE
    // connectivity checks of a Microsoft client, whose MS-CANDIDATE-IDENTIFIER (0x8054) and MS-IMPLEMENTATION-VERSION
    // (0x8070) are [MS-ICE2] attributes. tshark 4.0.17 reads every message of the flow as a Binding Request or Binding
    // Success Response (stun.type 0x0001, 0x0101); the head wrote "ms-turn", a TURN dialect no message of it speaks.
    private static readonly byte[] MsIce2Check = Hex("0068000100542112a442f3439453b698fb2950bb06ed000600092f7049303a546f4564000000002400046e6bfcff80290008000000000004c2d18054000132000000807000040000000300080014fe92876ad46d7b797d42eb8d79a805faf31d72d1802800040200fc47");
    private static readonly byte[] MsIce2Answer = Hex("00600101004c2112a442f3439453b698fb2950bb06ed00200008000183662b5fca71000600092f7049303a546f45640000008037000400000001807000040000000300080014f75f234b11f8e2560eaf4dd734489d41a16f7b1f802800040d26cb32");

    [Fact]
    public void AMicrosoftIceConnectivityCheckIsABindingNotMsTurn()
    {
        var flow = NewFlow(tcp: true, 42000);
        Assert.NotEqual(InspectResult.NoMatch, Conversation(new StunInspector(), flow, true, (true, MsIce2Check), (false, MsIce2Answer)));
        Assert.Equal("binding; ms-ice2", flow.AppDetail?.ToString());
    }

    [Fact]
    public void TwoChannelDataMessagesOnOneChannelAreTurn()
    {
        var flow = NewFlow(false);
        var data = Hex("4001 0004 deadbeef");
        Assert.Equal(InspectResult.Partial, Run(new StunInspector(), flow, false, true, data, data));
        Assert.Equal("channel-data", flow.AppDetail?.ToString());
        Assert.Equal(InspectResult.NeedMore, Once(new StunInspector(), data, tcp: false).Result);
    }

    // Over TCP every call shows the direction's stream from its start: the first message shown again is no second one.
    [Fact]
    public void OneChannelDataMessageOverTcpShownTwiceIsNotTurn()
    {
        var first = Hex("4001 0005 0102030405 000000");
        // The head claimed the flow on the second call, reading the same first message again.
        Assert.Equal(InspectResult.NeedMore, Run(new StunInspector(), NewFlow(true), true, true, first, first));
        var flow = NewFlow(true);
        Assert.Equal(InspectResult.Partial, Run(new StunInspector(), flow, true, true, first, [.. first, .. Hex("4001 0004")]));
        Assert.Equal("channel-data", flow.AppDetail?.ToString());
        // A stream that ends after the one message proves nothing.
        var atLimit = NewFlow(true);
        ulong scratch = 0;
        var input = new InspectionInput(atLimit, first, true, true, 0, ref scratch, true);
        Assert.Equal(InspectResult.NoMatch, new StunInspector().Inspect(ref input));
    }

    // base.pcap's Battle.net login, 192.168.1.100:3517 to 213.248.127.130:1119 (the client's first segment, its first
    // 32 bytes): 4a00 000a reads as a ChannelData header, but what follows its padding (2999 64b7) is none. The head
    // named the flow stun, channel-data; tshark 4.0.17 reads every segment as data, ndpiReader as Starcraft (Battle.net).
    [Fact]
    public void ABattleNetLoginIsNotTurnChannelData()
    {
        var login = Hex("4a00000a66020aed2d66adc8e80a0000 299964b723a1000046dc433732ba002b");
        Assert.Equal(InspectResult.NoMatch, Run(new StunInspector(), NewFlow(true, 1119), true, true, login[..16], login));
        Assert.Equal(InspectResult.NoMatch, Run(new StunInspector(), NewFlow(true, 1119), true, true, login, login));
    }

    [Fact]
    public void StunOverTcpWithAndWithoutFraming()
    {
        Assert.Equal(InspectResult.Partial, Once(new StunInspector(), Rfc5389Binding, tcp: true).Result);
        var framed = new byte[] { 0, (byte)Rfc5389Binding.Length }.Concat(Rfc5389Binding).ToArray();
        Assert.Equal(InspectResult.Partial, Once(new StunInspector(), framed, tcp: true).Result);
    }

    [Fact]
    public void LengthsThatDoNotAddUpAreRejected()
    {
        var wrong = (byte[])Rfc5389Binding.Clone();
        wrong[3] = 12;
        Assert.Equal(InspectResult.NoMatch, Once(new StunInspector(), wrong, tcp: false).Result);
        // A cookie-less 20-byte header over TCP followed by other bytes is not enough evidence.
        Assert.Equal(InspectResult.NoMatch, Once(new StunInspector(), Hex("0001 0000 00010000050000000200000085bb8e1d e9e2"), tcp: true).Result);
    }

    [SharedDataFact("captures-extra")]
    public void ModbusRequestsAndAnswersSharingATransactionIdAreNotTurnChannelData()
    {
        // Found on sv-dcerpc-udp-ics: MBAP headers (transaction id 0x4000-0x7FFF, protocol id 0) read as empty ChannelData.
        var (flows, _) = InspectTestData.Inspect(InspectTestData.Extra("sv-dcerpc-udp-ics.pcap"));
        var modbus = flows.Where(f => f.ServerPort == 502).ToList();
        Assert.NotEmpty(modbus);
        Assert.All(modbus, f => Assert.NotEqual(AppLabel.Stun, f.App));
    }
}
