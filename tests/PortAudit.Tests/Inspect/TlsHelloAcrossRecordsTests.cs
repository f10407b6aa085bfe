using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Inspect.Protocols;
using PortAudit.Tests.Scenarios;
using PortAudit.Tests.Sources.Live;
using static PortAudit.Tests.Inspect.InspectorHarness;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// Hellos cut across handshake records (RFC 8446 5.1): a ClientHello in two records, in ten, with its own header cut, or
/// with the server name in the second record; read across them as Wireshark reassembles them.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class TlsHelloAcrossRecordsTests
{
    private const string Named = "sni=paste.example.net; alpn=h2,http/1.1; version=tls1.3";

    /// <summary>The handshake message of a one-record hello (<see cref="TlsInspectorTests.ClientHello"/>).</summary>
    public static byte[] Message(byte[] record) => record[5..];

    /// <summary>The handshake message in consecutive handshake records, cut before each offset of <paramref name="cuts"/>.</summary>
    public static byte[] Records(byte[] message, params int[] cuts)
    {
        var records = new List<byte>();
        int previous = 0;
        foreach (int cut in cuts.Append(message.Length))
        {
            records.AddRange([22, 3, 1, (byte)((cut - previous) >> 8), (byte)(cut - previous)]);
            records.AddRange(message[previous..cut]);
            previous = cut;
        }
        return [.. records];
    }

    /// <summary>A ClientHello for paste.example.net cut into <paramref name="count"/> records of about equal size.</summary>
    public static byte[] ClientHelloIn(int count)
    {
        var message = Message(TlsInspectorTests.ClientHello("paste.example.net"));
        return Records(message, Enumerable.Range(1, count - 1).Select(i => message.Length * i / count).ToArray());
    }

    private static byte[] ServerHelloMessage() => Hex("02 000026 0303" + new string('1', 64) + "00 c02f 00");

    [Theory]
    [InlineData(2)]
    [InlineData(10)]
    public void AClientHelloCutIntoRecordsGivesItsNameAndAlpn(int records)
    {
        var (result, flow) = Once(new TlsInspector(), ClientHelloIn(records), tcp: true);
        Assert.Equal((InspectResult.Partial, Named), (result, flow.AppDetail?.ToString()));
    }

    [Fact]
    public void TheHandshakeHeaderCutAfterTwoBytesAndTheNameInTheSecondRecordAreRead()
    {
        var message = Message(TlsInspectorTests.ClientHello("paste.example.net"));
        // The first record ends before the message's length is complete; the server_name extension (after the 41 fixed
        // bytes and the suites) lies wholly in the third record.
        var (result, flow) = Once(new TlsInspector(), Records(message, 2, 50), tcp: true);
        Assert.Equal((InspectResult.Partial, Named), (result, flow.AppDetail?.ToString()));
    }

    [Fact]
    public void TheFirstRecordAloneWaitsAndAtTheLimitSaysTheHelloWentUnread()
    {
        var stream = ClientHelloIn(2);
        int firstRecord = 5 + (stream[3] << 8 | stream[4]);
        Assert.Equal(InspectResult.NeedMore, Once(new TlsInspector(), stream[..firstRecord], tcp: true).Result);

        var flow = NewFlow(true);
        ulong scratch = 0;
        var input = new InspectionInput(flow, stream[..firstRecord], true, true, 0, ref scratch, atLimit: true);
        Assert.Equal(InspectResult.Partial, new TlsInspector().Inspect(ref input));
        // The offered versions (supported_versions) were in the second record: the legacy version field is all there is.
        Assert.Equal("hello-unread; version=tls1.2", flow.AppDetail?.ToString());
    }

    [Fact]
    public void ARecordOfAnotherKindInsideTheHelloLeavesItUnread()
    {
        var message = Message(TlsInspectorTests.ClientHello("paste.example.net"));
        // The first record holds 30 bytes of the message; a ChangeCipherSpec comes before the record with the rest.
        byte[] stream = [.. Records(message, 30)[..(5 + 30)], .. Hex("14 0303 0001 01"), .. Records(message[30..])];
        var (result, flow) = Once(new TlsInspector(), stream, tcp: true);
        Assert.Equal((InspectResult.Partial, "hello-unread"), (result, flow.AppDetail?.ToString()));
    }

    [Fact]
    public void AHelloDeclaredLongerThanTheBoundIsNotWaitedFor()
    {
        // A handshake header declaring 64 KiB, then the first 60 bytes of a real hello's body: read no further.
        var message = Message(TlsInspectorTests.ClientHello("paste.example.net"));
        byte[] header = [1, 0x01, 0x00, 0x00];
        var (result, flow) = Once(new TlsInspector(), Records([.. header, .. message[4..64]]), tcp: true);
        Assert.Equal(InspectResult.Partial, result);
        Assert.True(flow.AppDetail!.HasWord(TlsHello.UnreadWord));
    }

    [Fact]
    public void AServerHelloCutAcrossRecordsSettlesTheVersion()
    {
        var flow = NewFlow(true);
        // Partial: the server's certificate, after its hello, is still to come.
        Assert.Equal(InspectResult.Partial, Conversation(new TlsInspector(), flow, true,
            (true, ClientHelloIn(3)), (false, Records(ServerHelloMessage(), 10))));
        Assert.Equal("sni=paste.example.net; alpn=h2,http/1.1; version=tls1.2", flow.AppDetail?.ToString());
    }

    [Fact]
    public void TheEngineReadsAHelloWhoseRecordsComeInSeparateSegments()
    {
        var messages = new List<SessionMessage>();
        var stream = ClientHelloIn(10);
        for (int at = 0; at < stream.Length; at += 40)
            messages.Add(new SessionMessage(0.01, true, stream[at..Math.Min(stream.Length, at + 40)]));
        messages.Add(new SessionMessage(0.02, false, Records(ServerHelloMessage(), 10)));
        var capture = new ScenarioCapture("tls-hello-in-records", 1_700_000_000).TcpSession("192.0.2.10", "198.51.100.9", 443, 1, messages);
        var flow = Assert.Single(InspectTestData.Inspect(capture.Build()));
        Assert.Equal((AppLabel.Tls, "sni=paste.example.net; alpn=h2,http/1.1; version=tls1.2"), (flow.App, flow.AppDetail?.ToString()));
    }
}

/// <summary>tshark, which reassembles handshake messages across records, as the oracle for the server name read across them.</summary>
[Trait(Tier.Name, Tier.Peer)]
public sealed class TlsHelloAcrossRecordsTsharkTests
{
    [NeedsProgramFact("tshark")]
    public void TsharkReadsTheSameServerNameAsTheInspector()
    {
        var capture = new ScenarioCapture("tls-hello-in-records", 1_700_000_000);
        foreach (int records in new[] { 2, 10 })
            capture.TcpSession("192.0.2.10", "198.51.100.9", 443, records, [new SessionMessage(0.01, true, TlsHelloAcrossRecordsTests.ClientHelloIn(records))]);

        var (names, ours) = TsharkServerNames.Read(capture.Build(), "tls.handshake.extensions_server_name");
        Assert.Equal(["paste.example.net", "paste.example.net"], names);
        Assert.Equal(names, ours);
    }
}
