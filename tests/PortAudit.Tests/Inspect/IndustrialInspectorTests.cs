using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Inspect;
using PortAudit.Inspect.Protocols;
using static PortAudit.Tests.Inspect.InspectorHarness;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// Modbus/TCP, S7comm and EtherNet/IP, by the bytes of suricata-verify's dcerpc-udp input.pcap (captures-extra's
/// sv-dcerpc-udp-ics.pcap, whose flows all begin midstream), as tshark 4.0.17 (Modbus/TCP, S7COMM, CIP) and nDPI
/// (Modbus, s7comm, EthernetIP) read them; and base.pcap's MMS and S7comm-plus on 102, which tshark reads as no S7comm.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class IndustrialInspectorTests
{
    private static readonly IpAddr Master = IpAddr.FromV4(0x8D51000A), Device = IpAddr.FromV4(0x8D510090);

    private static (string? App, string? Detail) Seen(ushort port, params (bool FromClient, byte[] Bytes)[] segments)
    {
        var flow = Midstream(Master, 60116, Device, port, segments);
        return (flow.App?.Name, flow.AppDetail?.ToString());
    }

    [Fact]
    public void AModbusRequestAnsweredInKindIsModbus()
    {
        // 141.81.0.10:64341 -> 141.81.0.144:502: Write Multiple Coils, transaction 0x6d06, unit 255, and its answer.
        Assert.Equal(("modbus", "write-multiple-coils"),
            Seen(502, (true, Hex("6d06 0000 0008 ff 0f 0005 0001 01 00")), (false, Hex("6d06 0000 0006 ff 0f 0005 0001"))));
        // 141.81.0.143:502, joined midstream: the server's answer to a request the capture does not hold (0x317b), then
        // three requests in one segment, then the answer to the first of them.
        Assert.Equal(("modbus", "write-multiple-coils"), Seen(502,
            (false, Hex("317b 0000 0006 ff 0f 0000 0001")),
            (true, Hex("317c 0000 0009 ff 0f 0009 000a 02 ff03 317d 0000 0008 ff 0f 0008 0001 01 01 317e 0000 0008 ff 0f 0006 0001 01 00")),
            (false, Hex("317c 0000 0006 ff 0f 0009 000a"))));
        // Bytes on 502 that no answer in kind confirms are none: an MBAP-like request whose answer names another transaction, one never answered, and HTTP on 502.
        var request = Hex("6d06 0000 0006 01 03 0000 0001");
        Assert.Equal((null, null), Seen(502, (true, request), (false, Hex("1234 0000 0005 01 03 02 0000"))));
        Assert.Equal((null, null), Seen(502, (true, request)));
        Assert.Equal(("http", "GET; host=plc"), Seen(502, (true, Ascii("GET / HTTP/1.1\r\nHost: plc\r\n\r\n")), (false, Ascii("HTTP/1.1 200 OK\r\n\r\n"))));
        // Protocol id 1: no MBAP header.
        Assert.Equal((null, null), Seen(502, (true, Hex("6d06 0001 0006 01 03 0000 0001")), (false, Hex("6d06 0001 0005 01 03 02 0000"))));
    }

    [Fact]
    public void AnS7JobInCotpDataIsS7comm()
    {
        // 141.81.0.10:56928 -> 141.81.0.14:102: a COTP data TPDU with no payload and no EOT, then an S7 job (ROSCTR 1,
        // parameter length 14) and the PLC's ack-data.
        Assert.Equal(("s7comm", "job"), Seen(102,
            (true, Hex("0300000702f000")),
            (true, Hex("0300001f02f080 32 01 0000 0001 000e 0000 0401120a10020004006784000090")),
            (false, Hex("0300001d02f080 32 03 0000 0001 0002 0008 0000 0401ff04002041ca8bda"))));
        // MMS and S7comm-plus on 102 are no S7comm. base.pcap's 172.16.0.101:1345 -> 172.16.202.5:102 (tshark: COTP, then MMS; nDPI says s7comm by the port's
        // TPKT alone): the connection request and confirm, then an ISO session's bytes in the data TPDU.
        Assert.Equal((null, null), Seen(102,
            (true, Hex("0300001611e00000077800c1020001c2020001c0010d")),
            (false, Hex("0300001611d00778340000c1020001c2020001c0010a")),
            (true, Hex("0300001702f0800d9e0506130100160102140200023302")),
            (false, Hex("0300001702f0800e89050613010016010214020002c17b"))));
        // base.pcap's 192.168.25.177:53162 -> 192.168.25.131:102: S7comm-plus (protocol id 0x72), which tshark 4.0.17
        // reads as COTP alone.
        Assert.Equal((null, null), Seen(102, (true, Hex("0300001902f080720100ca31000004ca000000010000012036")), (false, Hex("0300001902f0807201007a32000004ca00000001361102873e"))));
    }

    [Fact]
    public void AnEncapsulatedCipMessageOn44818IsEtherNetIp()
    {
        // 141.81.0.10:50275 -> 141.81.0.83:44818: SendUnitData, session 0x10020100, a connected address item and a
        // connected data item of 24 bytes.
        var sendUnitData = Hex("7000 2c00 00010210 00000000 0000000000000000 00000000 00000000 0a00 0200 a100 0400 01033500 b100 1800"
            + "7ed70a0220022401010004004c022072240068a207000900");
        Assert.Equal(("enip", "send-unit-data"), Seen(44818, (true, sendUnitData)));
        // The items must fill the data exactly: a length one byte longer than they take is no EtherNet/IP.
        var cut = (byte[])sendUnitData.Clone();
        cut[2]++;
        Assert.Equal((null, null), Seen(44818, (true, [.. cut, 0x00, 0x00])));
        // RegisterSession asks for protocol version 1; options other than 0 are none.
        Assert.Equal(("enip", "register-session"), Seen(44818, (true, Hex("6500 0400 00000000 00000000 0000000000000000 00000000 0100 0000"))));
        Assert.Equal((null, null), Seen(44818, (true, Hex("6500 0400 00000000 00000000 0000000000000000 01000000 0100 0000"))));
        // Over UDP the datagram is the message: a ListIdentity request, and one byte more, which is none.
        var request = Hex("6300 0000 00000000 00000000 0102030405060708 00000000");
        Assert.Equal(InspectResult.Match, Once(new EtherNetIpInspector(), request, tcp: false).Result);
        Assert.Equal(InspectResult.NoMatch, Once(new EtherNetIpInspector(), [.. request, 0x00], tcp: false).Result);
    }

    [Fact]
    public void ACipReplySeenFirstMakesItsSenderTheServer()
    {
        // base.pcap's 141.81.0.10:52593 -> 141.81.0.63:44818 joined midstream (tshark frames 16971-16972): the adapter's
        // SendUnitData carrying a Multiple Service Packet reply (service 0x8a, cip.rr 1) first, then the scanner's request
        // (0x0a). Both ports are 1024 or more; was client 141.81.0.63:44818, sides ports.
        var reply = Hex("7000300000050213000000000000000000000000000000000000000000000200a10004009dc60080b1001c0033358a000000020006000e00cc00000001000000cc00000005000000");
        var request = Hex("70003a00000502130000000066c0be000000000000000000000000000a000200a1000400072f2e00b1002600e8470a02200224010200060012004c022072240018b7040001004c02207224003c5406000100");
        var scanner = IpAddr.FromV4(0x8D51000A);
        var adapter = IpAddr.FromV4(0x8D51003F);
        var flow = Midstream(scanner, 52593, adapter, 44818, (false, reply), (true, request));
        Assert.Equal((scanner, (ushort)52593, adapter, (ushort)44818, FlowSides.Content), (flow.Client, flow.ClientPort, flow.Server, flow.ServerPort, flow.Sides));
        // The request seen first keeps the sides, now from the content.
        flow = Midstream(scanner, 52593, adapter, 44818, (true, request), (false, reply));
        Assert.Equal((scanner, FlowSides.Content), (flow.Client, flow.Sides));
        // RegisterSession's answer echoes the request: the ports' guess stands.
        var register = Hex("6500 0400 01000000 00000000 0000000000000000 00000000 0100 0000");
        flow = Midstream(scanner, 52593, adapter, 44818, (false, register));
        Assert.Equal((adapter, FlowSides.Ports), (flow.Client, flow.Sides));
    }
}
