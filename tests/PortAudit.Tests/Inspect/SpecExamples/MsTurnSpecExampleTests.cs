using System.Buffers.Binary;
using System.Net;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Tests.Sources.Live;
using PortAudit.Tests.Scenarios;

namespace PortAudit.Tests.Inspect.SpecExamples;

/// <summary>
/// [MS-TURN] exchanges no public capture holds, built as frames (PacketDotNet): the pseudo-TLS opening over TCP 443
/// (3.1.5.1: a ClientHello, answered by a ServerHello and a ServerHelloDone in one TLS record) and, over UDP 3478, a Send
/// request (message type 0x0004) answered by a Data Indication (0x0115), each with the Magic Cookie attribute first as
/// 2.2.2 requires, then Destination Address (0x0011) or Remote Address (0x0012), then Data (2.2.2.12, 0x0013). <see cref="MsTurnTsharkTests"/> checks them
/// against tshark's STUN dissectors.
/// </summary>
internal static class MsTurnFrames
{
    public const string Client = "192.0.2.51", Server = "192.0.2.52";
    public const ushort TcpClientPort = 50130, UdpClientPort = 50131;
    public const string PeerAddress = "198.51.100.7";
    public const ushort PeerPort = 50000;

    /// <summary>What is relayed: twelve bytes, so that the Data attribute needs no padding.</summary>
    public static readonly byte[] Relayed = [0x80, 0x00, 0x12, 0x34, .. "payload!"u8];

    private const uint MagicCookie = 0x72C64BC6; // the value of [MS-TURN]'s Magic Cookie attribute
    private const ushort MagicCookieAttribute = 0x000F, DestinationAddress = 0x0011, RemoteAddress = 0x0012, Data = 0x0013, MsVersion = 0x8008;

    public static readonly byte[] SendRequest = Message(0x0004, 1,
        Attribute(MagicCookieAttribute, BigEndian(MagicCookie)), Attribute(DestinationAddress, Address(PeerAddress, PeerPort)), Attribute(Data, Relayed));

    public static readonly byte[] DataIndication = Message(0x0115, 2,
        Attribute(MagicCookieAttribute, BigEndian(MagicCookie)), Attribute(RemoteAddress, Address(PeerAddress, PeerPort)), Attribute(Data, Relayed));

    /// <summary>An Allocate request (0x0003): the Magic Cookie attribute, then MS-Version 1 (2.2.2.17, 0x8008).</summary>
    public static readonly byte[] AllocateRequest = Message(0x0003, 3,
        Attribute(MagicCookieAttribute, BigEndian(MagicCookie)), Attribute(MsVersion, BigEndian(1)));

    /// <summary>Its answer, an Allocate response (0x0103) with the same attributes.</summary>
    public static readonly byte[] AllocateResponse = Message(0x0103, 3,
        Attribute(MagicCookieAttribute, BigEndian(MagicCookie)), Attribute(MsVersion, BigEndian(1)));

    /// <summary>A TURN message in the TCP framing of [MS-TURN] 2.1.4: type 0x02 (control), reserved 0, the message's length.</summary>
    public static byte[] Framed(byte[] message) => [0x02, 0, (byte)(message.Length >> 8), (byte)message.Length, .. message];

    /// <summary>RFC 2246 7.4.1.2 ClientHello in a handshake record: version 3.1, a random, no session, one suite, null compression.</summary>
    public static readonly byte[] PseudoTlsClientHello = Record(Handshake(1, [0x03, 0x01, .. Random(0x11), 0, 0, 2, 0x00, 0x04, 1, 0]));

    /// <summary>The server's answer: ServerHello (version 3.1, suite 0x0004, null compression) and ServerHelloDone, one record.</summary>
    public static readonly byte[] PseudoTlsServerHelloAndDone = Record([.. Handshake(2, [0x03, 0x01, .. Random(0x22), 0, 0x00, 0x04, 0]), .. Handshake(14, [])]);

    /// <summary>Both exchanges in one capture: the pseudo-TLS opening at second 1, Send and Data Indication at second 2.</summary>
    public static byte[] Capture() => new ScenarioCapture("ms-turn", 1_700_000_000)
        .Tcp(Client, Server, 443, 1, PseudoTlsClientHello, PseudoTlsServerHelloAndDone, clientPort: TcpClientPort)
        .Udp(Client, Server, 3478, 2, SendRequest, DataIndication, clientPort: UdpClientPort)
        .Build();

    // The TURN header of [MS-TURN] 2.2 (that of draft STUN-02): type, length, a 16-byte transaction id (no RFC 5389 cookie).
    private static byte[] Message(ushort type, byte transaction, params byte[][] attributes)
    {
        byte[] body = [.. attributes.SelectMany(a => a)];
        var message = new byte[20 + body.Length];
        BinaryPrimitives.WriteUInt16BigEndian(message, type);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), (ushort)body.Length);
        message.AsSpan(4, 16).Fill(transaction);
        body.CopyTo(message, 20);
        return message;
    }

    private static byte[] Attribute(ushort type, byte[] value) =>
        [(byte)(type >> 8), (byte)type, (byte)(value.Length >> 8), (byte)value.Length, .. value, .. new byte[(4 - value.Length % 4) % 4]];

    // Reserved, family 1 (IPv4), port, address.
    private static byte[] Address(string address, ushort port) => [0, 1, (byte)(port >> 8), (byte)port, .. IPAddress.Parse(address).GetAddressBytes()];

    private static byte[] BigEndian(uint value) => [(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value];

    private static byte[] Random(byte fill) => Enumerable.Repeat(fill, 32).ToArray();

    private static byte[] Handshake(byte type, byte[] body) => [type, 0, (byte)(body.Length >> 8), (byte)body.Length, .. body];

    private static byte[] Record(byte[] fragment) => [22, 0x03, 0x01, (byte)(fragment.Length >> 8), (byte)fragment.Length, .. fragment];
}

/// <summary>The MS-TURN frames of <see cref="MsTurnFrames"/> through the inspection engine.</summary>
[Trait(Tier.Name, Tier.Unit)]
public class MsTurnSpecExampleTests
{
    private static readonly List<PortAudit.Flows.Flow> Flows = InspectTestData.Inspect(MsTurnFrames.Capture());

    [Fact]
    public void ThePseudoTlsOpeningIsMsTurnNotTls()
    {
        var flow = Assert.Single(Flows, f => f.ServerPort == 443);
        Assert.Equal((AppLabel.Stun, "ms-turn; pseudo-tls"), (flow.App, flow.AppDetail?.ToString()));
    }

    [Fact]
    public void ASendRequestAndItsDataIndicationAreMsTurn()
    {
        var flow = Assert.Single(Flows, f => f.ServerPort == 3478);
        Assert.Equal((AppLabel.Stun, "ms-turn"), (flow.App, flow.AppDetail?.ToString()));
    }

    [Fact]
    public void TheDataIndicationAloneIsMsTurn()
    {
        // The relay's half only (the client's Send not captured): the server's Data Indication names the dialect by itself.
        var capture = new ScenarioCapture("ms-turn-data-indication", 1_700_000_000)
            .Udp(MsTurnFrames.Server, MsTurnFrames.Client, MsTurnFrames.UdpClientPort, 1, MsTurnFrames.DataIndication, answer: Answer.Silent, clientPort: 3478);
        var flow = Assert.Single(InspectTestData.Inspect(capture.Build()));
        Assert.Equal((AppLabel.Stun, "ms-turn"), (flow.App, flow.AppDetail?.ToString()));
    }
}

/// <summary>
/// tshark as the oracle for <see cref="MsTurnFrames"/>: its classic-STUN dissector (STUN without the RFC 5389 cookie, as
/// MS-TURN sends it) must read the message types and the attributes they were built with, and its TLS dissector the
/// pseudo-TLS handshake types.
/// </summary>
[Trait(Tier.Name, Tier.Peer)]
public sealed class MsTurnTsharkTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"portaudit-msturn-{Guid.NewGuid():N}.pcap");

    public MsTurnTsharkTests() => File.WriteAllBytes(_path, MsTurnFrames.Capture());

    public void Dispose() => File.Delete(_path);

    [NeedsProgramFact("tshark")]
    public void TsharkReadsTheSendRequestAndTheDataIndicationAsBuilt()
    {
        var lines = Fields("classicstun", "classicstun.type", "classicstun.att.type", "classicstun.att.port", "classicstun.att.ipv4", "classicstun.att.data");
        string data = Convert.ToHexString(MsTurnFrames.Relayed).ToLowerInvariant();
        string peer = $"{MsTurnFrames.PeerPort}\t{MsTurnFrames.PeerAddress}\t{data}";
        Assert.Equal([$"0x0004\t0x000f,0x0011,0x0013\t{peer}", $"0x0115\t0x000f,0x0012,0x0013\t{peer}"], lines);
    }

    [NeedsProgramFact("tshark")]
    public void TsharkReadsThePseudoTlsOpeningAsAClientHelloThenServerHelloAndDoneInOneRecord()
    {
        // One handshake record (22) a side: the client's ClientHello (1), the server's ServerHello (2) and ServerHelloDone (14).
        Assert.Equal(["22\t1", "22\t2,14"], Fields("tls.handshake", "tls.record.content_type", "tls.handshake.type"));
    }

    private List<string> Fields(string filter, params string[] fields) =>
        External.Run("tshark", ["-r", _path, "-Y", filter, "-T", "fields", .. fields.SelectMany(f => new[] { "-e", f })])
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
}
