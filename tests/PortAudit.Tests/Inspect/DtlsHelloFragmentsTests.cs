using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Inspect.Protocols;
using PortAudit.Tests.Scenarios;
using PortAudit.Tests.Sources.Live;
using static PortAudit.Tests.Inspect.InspectorHarness;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// DTLS ClientHellos cut into handshake fragments (RFC 6347 4.2.3), across records and datagrams, in order or not,
/// retransmitted, and fragments that lie or disagree: gathered through the engine, read whole, or <c>hello-unread</c>.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class DtlsHelloFragmentsTests
{
    public const string Named = "sni=paste.example.net; alpn=h2,http/1.1; version=tls1.3";
    private const string Client = "192.0.2.20", Server = "198.51.100.30";

    /// <summary>The ClientHello body of <see cref="TlsInspectorTests.ClientHello"/> in DTLS form (after record and handshake headers).</summary>
    public static readonly byte[] Body = TlsInspectorTests.ClientHello("paste.example.net", dtls: true)[25..];

    /// <summary>A handshake fragment of a ClientHello: type, length, message_seq, fragment_offset, fragment_length, bytes.</summary>
    public static byte[] Fragment(int offset, int count, ushort sequence = 0, int? length = null, int? fragmentLength = null, byte[]? body = null)
    {
        body ??= Body;
        int total = length ?? body.Length, said = fragmentLength ?? count;
        return [1, .. Be24(total), (byte)(sequence >> 8), (byte)sequence, .. Be24(offset), .. Be24(said), .. body.AsSpan(offset, count)];
    }

    /// <summary>A DTLS 1.2 handshake record of epoch 0 around <paramref name="fragments"/>.</summary>
    public static byte[] Record(params byte[][] fragments)
    {
        byte[] content = [.. fragments.SelectMany(f => f)];
        return [22, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 1, (byte)(content.Length >> 8), (byte)content.Length, .. content];
    }

    /// <summary>The hello cut into <paramref name="count"/> fragments of about equal size, in order.</summary>
    public static byte[][] Fragments(int count) =>
        [.. Enumerable.Range(0, count).Select(i => Fragment(Body.Length * i / count, Body.Length * (i + 1) / count - Body.Length * i / count))];

    /// <summary>The client's <paramref name="datagrams"/> to UDP 443 through the engine.</summary>
    public static Flow Inspect(params byte[][] datagrams)
    {
        var capture = new ScenarioCapture("dtls-fragments", 1_700_000_000)
            .UdpStream(Client, Server, 443, 1, i => datagrams[i], datagrams.Length, bothWays: false);
        return Assert.Single(InspectTestData.Inspect(capture.Build()));
    }

    private static byte[] Be24(int value) => [(byte)(value >> 16), (byte)(value >> 8), (byte)value];

    [Fact]
    public void TheWholeHelloGivesTheDetailTheFragmentsMustGive()
    {
        var flow = Inspect(Record(Fragment(0, Body.Length)));
        Assert.Equal((AppLabel.Dtls, Named), (flow.App, flow.AppDetail?.ToString()));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(5)]
    public void AHelloInFragmentsOneDatagramEachIsReadWhole(int count)
    {
        var flow = Inspect([.. Fragments(count).Select(f => Record(f))]);
        Assert.Equal((AppLabel.Dtls, Named), (flow.App, flow.AppDetail?.ToString()));
    }

    [Fact]
    public void FragmentsOutOfOrderInRecordsOfOneDatagramAndSharedRecordsAreReadWhole()
    {
        var parts = Fragments(4);
        // Last first; two records in one datagram; two fragments in one record.
        var flow = Inspect([.. Record(parts[3]), .. Record(parts[1])], Record(parts[2], parts[0]));
        Assert.Equal((AppLabel.Dtls, Named), (flow.App, flow.AppDetail?.ToString()));
    }

    [Fact]
    public void RetransmittedAndAgreeingOverlappingFragmentsAreReadWhole()
    {
        // RFC 6347 4.2.3: a receiver must take overlapping fragment ranges; the bytes they share agree.
        var flow = Inspect(Record(Fragment(0, 60)), Record(Fragment(0, 60)), Record(Fragment(40, 50)), Record(Fragment(80, Body.Length - 80)));
        Assert.Equal((AppLabel.Dtls, Named), (flow.App, flow.AppDetail?.ToString()));
    }

    [Fact]
    public void AMissingFragmentLeavesWhatTheFirstNamedAndHelloUnread()
    {
        // The first 75 bytes hold the server name (it ends at 70), not the ALPN list after it.
        var flow = Inspect(Record(Fragment(0, 75)), Record(Fragment(Body.Length - 5, 5)));
        Assert.Equal((AppLabel.Dtls, "sni=paste.example.net; hello-unread; version=dtls1.2"), (flow.App, flow.AppDetail?.ToString()));
    }

    [Theory]
    [InlineData("overlap-disagrees")]
    [InlineData("past-its-length")]
    [InlineData("longer-than-its-record")]
    [InlineData("length-changes")]
    [InlineData("longer-than-16-KiB")]
    public void FragmentsThatLieMakeTheHelloUnread(string lie)
    {
        byte[] changed = [.. Body];
        changed[Body.Length - 10] ^= 0xFF;
        byte[] first = Record(Fragment(0, 30)), rest = Record(Fragment(30, Body.Length - 30));
        byte[] lying = lie switch
        {
            "overlap-disagrees" => Record(Fragment(Body.Length - 40, 40, body: changed)),
            "past-its-length" => Record(Fragment(30, Body.Length - 30, length: Body.Length - 1)),
            "longer-than-its-record" => Record(Fragment(30, Body.Length - 31, fragmentLength: Body.Length - 30)),
            "length-changes" => Record(Fragment(30, 10, length: Body.Length + 10)),
            _ => Record(Fragment(30, 10, length: 16385)),
        };
        // The lie comes before the rest: what comes after it is not read either.
        var flow = Inspect(first, lying, rest);
        // Its first 30 bytes are not even the hello's fixed part: nothing named.
        Assert.Equal((AppLabel.Dtls, "hello-unread"), (flow.App, flow.AppDetail?.ToString()));
    }

    [Fact]
    public void TheNextHelloReplacesOneLeftUnfinished()
    {
        // The client's second hello (message_seq 1, after a HelloVerifyRequest) whole in fragments; the first never finished.
        var flow = Inspect(Record(Fragment(0, 40)), Record(Fragment(0, 50, sequence: 1)), Record(Fragment(50, Body.Length - 50, sequence: 1)),
            Record(Fragment(40, 30)));
        Assert.Equal((AppLabel.Dtls, Named), (flow.App, flow.AppDetail?.ToString()));
    }

    [Fact]
    public void MutatedFragmentsEndInAVerdictNotAThrow()
    {
        var datagrams = Fragments(3).Select(f => Record(f)).ToArray();
        var random = new Random(6347);
        for (int round = 0; round < 200; round++)
        {
            var mutated = datagrams.Select(d => (byte[])d.Clone()).ToArray();
            var target = mutated[random.Next(mutated.Length)];
            // Headers mostly: the lengths, offsets and sequence numbers are what lie.
            target[random.Next(Math.Min(target.Length, 40))] = (byte)random.Next(256);
            var flow = Inspect(mutated);
            // A hello that could not be read whole says so; one read whole may name what the mutation made of the name.
            if (flow.App == AppLabel.Dtls) Assert.NotNull(flow.AppDetail);
        }
    }

    [Fact]
    public void TheAssemblyBufferIsOneInspectorsAndBounded()
    {
        var state = new FlowInspection(0);
        Assert.Equal(HelloAssembly.BufferLength, state.AssemblyFor(3, HelloAssembly.BufferLength).Length);
        Assert.True(state.AssemblyFor(4, 10).IsEmpty);
        Assert.True(state.AssemblyFor(3, InspectionInput.MaxAssembly + 1).IsEmpty);
        state.ReleaseStreams();
        Assert.Null(state.Assembly);
    }

    [Fact]
    public void AnInspectorCalledWithoutTheEngineReadsNoFragmentsButSaysSo()
    {
        var (result, flow) = Once(new DtlsInspector(), Record(Fragment(0, 40)), tcp: false);
        Assert.Equal((InspectResult.Partial, "hello-unread"), (result, flow.AppDetail?.ToString()));
    }
}

/// <summary>tshark, which reassembles DTLS handshake fragments, as the oracle for the server name gathered from them.</summary>
[Trait(Tier.Name, Tier.Peer)]
public sealed class DtlsHelloFragmentsTsharkTests
{
    [NeedsProgramFact("tshark")]
    public void TsharkReadsTheSameServerNameAsTheInspector()
    {
        // Four fragments, one datagram each; and two records in one datagram, then two fragments in one record.
        var parts = DtlsHelloFragmentsTests.Fragments(4);
        byte[][][] flows =
        [
            [.. parts.Select(p => DtlsHelloFragmentsTests.Record(p))],
            [[.. DtlsHelloFragmentsTests.Record(parts[0]), .. DtlsHelloFragmentsTests.Record(parts[1])], DtlsHelloFragmentsTests.Record(parts[2], parts[3])],
        ];
        var capture = new ScenarioCapture("dtls-fragments", 1_700_000_000);
        for (int i = 0; i < flows.Length; i++)
        {
            var datagrams = flows[i];
            capture.UdpStream("192.0.2.20", "198.51.100.30", 443, 1 + i, n => datagrams[n], datagrams.Length, bothWays: false);
        }

        var (names, ours) = TsharkServerNames.Read(capture.Build(), "dtls.handshake.extensions_server_name", "-d", "udp.port==443,dtls");
        Assert.Equal(["paste.example.net", "paste.example.net"], names);
        Assert.Equal(names, ours);
    }
}
