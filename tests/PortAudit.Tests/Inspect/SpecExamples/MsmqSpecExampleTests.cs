using System.Buffers.Binary;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Tests.Scenarios;

namespace PortAudit.Tests.Inspect.SpecExamples;

/// <summary>
/// MSMQ's binary protocol as the specification's own trace shows it: [MS-MQQB] 4.1.3 "FRAME 3: Establish Connection
/// Request" and 4.1.4 "FRAME 4: Establish Connection Response" (TCP 49759 to 1801), built as frames (PacketDotNet) and
/// read by the inspection engine. tshark 4.0 has no MSMQ dissector, so the fields are checked against the example's.
/// (The inspector's comment and docs/inspect.md name the specification [MC-MQQB]; Microsoft publishes it as [MS-MQQB],
/// its BaseHeader in [MS-MQMQ] 2.2.19.1.)
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class MsmqSpecExampleTests
{
    private const ushort ClientPort = 49759;
    private const uint Signature = 0x524F494C; // "LIOR" on the wire, little-endian
    private static readonly Guid ClientGuid = new("C626EA11-E6B6-9749-9595-9150557358D1");
    private static readonly Guid ServerGuid = new("FCA09E90-7890-4544-8F11-394C43CD8907");

    /// <summary>FRAME 3 (4.1.3): BaseHeader reserved byte 0xC0.</summary>
    private static readonly byte[] EstablishConnectionRequest = EstablishConnection(reserved: 0xC0);

    /// <summary>FRAME 4 (4.1.4): the same packet back, BaseHeader reserved byte 0x5A.</summary>
    private static readonly byte[] EstablishConnectionResponse = EstablishConnection(reserved: 0x5A);

    [Theory]
    [InlineData(true, 0xC0)]
    [InlineData(false, 0x5A)]
    public void TheExampleFramesCarryTheFieldsItShows(bool request, byte reserved)
    {
        var packet = request ? EstablishConnectionRequest : EstablishConnectionResponse;
        Assert.Equal(0x10, packet[0]);                                                   // VersionNumber: 16
        Assert.Equal(reserved, packet[1]);                                               // Reserved
        Assert.Equal(0x000B, BinaryPrimitives.ReadUInt16LittleEndian(packet.AsSpan(2)));  // Flags: priority 3, internal message
        Assert.Equal(Signature, BinaryPrimitives.ReadUInt32LittleEndian(packet.AsSpan(4)));
        Assert.Equal(572u, BinaryPrimitives.ReadUInt32LittleEndian(packet.AsSpan(8)));   // PacketSize
        Assert.Equal(572, packet.Length);
        Assert.Equal(uint.MaxValue, BinaryPrimitives.ReadUInt32LittleEndian(packet.AsSpan(12))); // TimeToReachQueue / MessageLife
        Assert.Equal(0x0002, BinaryPrimitives.ReadUInt16LittleEndian(packet.AsSpan(18))); // InternalHeader: packet type 2
        Assert.Equal(ClientGuid, new Guid(packet.AsSpan(20, 16)));
        Assert.Equal(ServerGuid, new Guid(packet.AsSpan(36, 16)));
        Assert.Equal(501140046u, BinaryPrimitives.ReadUInt32LittleEndian(packet.AsSpan(52))); // TimeStamp
    }

    [Fact]
    public void TheExampleExchangeIsMsmq()
    {
        var capture = new ScenarioCapture("mqqb-4.1.3-4.1.4", 1_700_000_000)
            .Tcp("192.0.2.31", "192.0.2.32", 1801, 1, EstablishConnectionRequest, EstablishConnectionResponse, clientPort: ClientPort);
        var flow = Assert.Single(InspectTestData.Inspect(capture.Build()));
        Assert.Equal((ClientPort, (ushort)1801), (flow.ClientPort, flow.ServerPort));
        Assert.Equal(AppLabel.Msmq, flow.App);
        Assert.Null(flow.AppDetail);
    }

    [Fact]
    public void TheExampleRequestAloneDecidesAtTheEndUnlessTheServerContradicts()
    {
        // docs/inspect.md: the client's BaseHeader is strong enough to decide when no answer comes, not when the server's
        // bytes are no BaseHeader (here the example's response with another version number).
        var contradicted = (byte[])EstablishConnectionResponse.Clone();
        contradicted[0] = 0x11;
        var capture = new ScenarioCapture("mqqb-4.1.3", 1_700_000_000)
            .Tcp("192.0.2.31", "192.0.2.32", 1801, 1, EstablishConnectionRequest, clientPort: ClientPort)
            .Tcp("192.0.2.31", "192.0.2.33", 1801, 2, EstablishConnectionRequest, contradicted, clientPort: ClientPort);
        var flows = InspectTestData.Inspect(capture.Build());
        Assert.Equal(AppLabel.Msmq, Assert.Single(flows, f => f.Server.ToString() == "192.0.2.32").App);
        Assert.Null(Assert.Single(flows, f => f.Server.ToString() == "192.0.2.33").App);
    }

    // BaseHeader ([MS-MQMQ] 2.2.19.1), InternalHeader ([MS-MQQB] 2.2.1) and the 552-byte EstablishConnectionHeader (2.2.3.1)
    // with the example's values. The four bytes after the TimeStamp are laid in the order the trace lists them
    // (Reserved 0x310, then OperatingSystem 0); the 512 bytes of padding, which the trace does not show, are 0x5A.
    private static byte[] EstablishConnection(byte reserved)
    {
        var packet = new byte[572];
        packet[0] = 0x10;
        packet[1] = reserved;
        BinaryPrimitives.WriteUInt16LittleEndian(packet.AsSpan(2), 0x000B);
        BinaryPrimitives.WriteUInt32LittleEndian(packet.AsSpan(4), Signature);
        BinaryPrimitives.WriteUInt32LittleEndian(packet.AsSpan(8), (uint)packet.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(packet.AsSpan(12), uint.MaxValue);
        BinaryPrimitives.WriteUInt16LittleEndian(packet.AsSpan(18), 0x0002);
        ClientGuid.TryWriteBytes(packet.AsSpan(20));
        ServerGuid.TryWriteBytes(packet.AsSpan(36));
        BinaryPrimitives.WriteUInt32LittleEndian(packet.AsSpan(52), 501140046);
        BinaryPrimitives.WriteUInt16LittleEndian(packet.AsSpan(56), 0x0310);
        packet.AsSpan(60).Fill(0x5A);
        return packet;
    }
}
