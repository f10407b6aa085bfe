using PortAudit.Audit.Anomaly;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;

namespace PortAudit.Tests.Audit;

/// <summary>The anomaly models' features: a flow's rhythm, and which feature set its source carries.</summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class FlowFeaturesTests
{
    private static Flow NewFlow() => new(1, 6, IpAddr.FromV4(0x0a010110), 50000, IpAddr.FromV4(0x0a01001e), 443, 0, opened: true);

    [Fact]
    public void ASteadyBeatHasNoVariationAndItsPeriodAsLongestGap()
    {
        var rhythm = new Rhythm();
        foreach (int minute in new[] { 0, 1, 2, 3, 4 }) rhythm.Add(minute * 60_000_000_000L, 180);
        Assert.Equal(0, rhythm.GapVariation, 9);
        Assert.Equal(60, rhythm.MaxGap, 9);
        Assert.Equal(900, rhythm.PayloadBytes);
    }

    [Fact]
    public void WithFewerThanTwoGapsTheVariationIsThatOfRandomArrivals()
    {
        var rhythm = new Rhythm();
        rhythm.Add(0, 100);
        rhythm.Add(2_000_000_000, 100);
        Assert.Equal(1, rhythm.GapVariation);
    }

    [Fact]
    public void AFlowIsJudgedOnlyOnTheFeaturesItsSourceCarries()
    {
        var record = NewFlow();
        Assert.Equal(FeatureSet.BytesOnly, FlowFeatures.SetOf(record, null));
        Assert.Equal(6, FlowFeatures.Raw(record, FeatureSet.BytesOnly, null, default).Length);

        var counted = NewFlow();
        counted.Count(fromClient: true, 60, 1_000, TcpFlags.Syn, 0);
        Assert.Equal(FeatureSet.Counters, FlowFeatures.SetOf(counted, null));

        var rhythm = new Rhythm();
        rhythm.Add(1_000, 100);
        Assert.Equal(FeatureSet.Timing, FlowFeatures.SetOf(counted, rhythm));
        Assert.Equal(12, FlowFeatures.Raw(counted, FeatureSet.Timing, rhythm, default).Length);

        rhythm.AddQuery(15, 3.1);
        Assert.Equal(FeatureSet.Dns, FlowFeatures.SetOf(counted, rhythm));
        Assert.Equal(14, FlowFeatures.Raw(counted, FeatureSet.Dns, rhythm, default).Length);
    }

    [Fact]
    public void ADnsQuestionIsMeasuredByLengthAndEntropy()
    {
        Assert.True(DnsQuestion.TryMeasure(Builders.Packets.DnsQuery("www.example.org"), out int length, out double entropy));
        Assert.Equal(15, length);
        Assert.InRange(entropy, 2.5, 3.5);
        string random = "k3j9x0qv7m2z8w4r1t6y5u0p9o8i7n3b2v1c4x5z6a7s8d9f0g1h2j3k4l5q";
        Assert.True(DnsQuestion.TryMeasure(Builders.Packets.DnsQuery(random + ".t.example.net"), out _, out double tunnel));
        Assert.True(tunnel > 4.5, $"entropy {tunnel}");
        Assert.False(DnsQuestion.TryMeasure(Builders.Packets.DnsAnswer(Builders.Packets.DnsQuery("www.example.org")), out _, out _));
    }

    [Fact]
    public void AHostPairOpeningFlowsOnABeatHasNoVariationAcrossThem()
    {
        var beats = new PairBeats();
        double last = 0;
        for (int minute = 0; minute <= PairBeats.MinGaps + 2; minute++)
        {
            var flow = new Flow(minute + 1, 6, IpAddr.FromV4(0x0a010110), (ushort)(50000 + minute), IpAddr.FromV4(0x0a01001e), 443,
                minute * 60_000_000_000L, opened: true);
            last = beats.Note(flow);
            if (minute < PairBeats.MinGaps) Assert.Equal(1, last); // too few gaps to tell a beat from chance
        }
        Assert.Equal(0, last, 9);
        // Another server port is another pair: its first flow has no beat.
        Assert.Equal(1, beats.Note(new Flow(99, 6, IpAddr.FromV4(0x0a010110), 50100, IpAddr.FromV4(0x0a01001e), 8443, 0, opened: true)));
    }

    [Fact]
    public void AFlowIsOffHoursOnlyInAnHourTheTrainingCoveredAndItsGroupNeverUsed()
    {
        const long Hour = 3_600_000_000_000;
        long monday = 1_795_420_800L * 1_000_000_000; // 08:00 UTC
        int covered = HoursOfDay.Covered(monday, monday + 3 * Hour - 1); // 08:00 to 10:59
        Assert.Equal(new[] { 8, 9, 10 }, HoursOfDay.List(covered));
        int used = HoursOfDay.Bit(monday) | HoursOfDay.Bit(monday + 2 * Hour); // 08 and 10
        Assert.True(HoursOfDay.Off(monday + Hour + 60, used, covered)); // 09: covered, never used
        Assert.False(HoursOfDay.Off(monday + 2 * Hour, used, covered)); // 10: used
        Assert.False(HoursOfDay.Off(monday + 5 * Hour, used, covered)); // 13: the baseline never saw it
        Assert.Equal(HoursOfDay.All, HoursOfDay.Covered(monday, monday + 30 * Hour));
    }

    [Fact]
    public void TlsWithoutAServerNameIsMarked()
    {
        var withName = NewFlow();
        withName.App = PortAudit.Flows.Facts.AppLabel.Tls;
        withName.AppDetail = PortAudit.Flows.Facts.AppDetail.Of(new PortAudit.Flows.Facts.DetailPart("sni", "web01.corp.example"));
        var without = NewFlow();
        without.App = PortAudit.Flows.Facts.AppLabel.Tls;
        var rhythm = new Rhythm();
        rhythm.Add(1_000, 100);
        int index = Array.IndexOf(FlowFeatures.Names, "tls-without-sni");
        int at = FlowFeatures.Of(FeatureSet.Timing).ToList().IndexOf(index);
        Assert.Equal(0, FlowFeatures.Raw(withName, FeatureSet.Timing, rhythm, default)[at]);
        Assert.Equal(1, FlowFeatures.Raw(without, FeatureSet.Timing, rhythm, default)[at]);
        Assert.Equal(0, FlowFeatures.Raw(NewFlow(), FeatureSet.Timing, rhythm, default)[at]); // not TLS at all
    }

    [Theory]
    [InlineData("a>b|udp/53|dns", FeatureSet.Dns)]
    [InlineData("a>b|tcp/389|timing", FeatureSet.Timing)]
    [InlineData("a>b|*|counters", FeatureSet.Counters)]
    [InlineData("*|*|bytes-only", FeatureSet.BytesOnly)]
    public void AModelKeyNamesItsFeatureSet(string key, FeatureSet set) => Assert.Equal(set, ModelFitter.SetOf(key));

    private static void Send(FlowRhythm observer, Flow flow, bool fromClient, uint sequence, byte icmpType, byte[] payload)
    {
        var packet = new DecodedPacket { Protocol = flow.Protocol, Sequence = sequence, IcmpType = icmpType, PayloadLength = payload.Length };
        observer.OnPacket(flow, fromClient, false, packet, payload);
    }

    [Fact]
    public void DnsOverTcpIsMeasuredAsDnsOverUdpIs()
    {
        // A dnscat2-like connection: queries for 60 random characters, two in a segment and one split across two. The
        // rhythm counted no query in a TCP flow: it was judged as `timing`, on its sizes alone.
        string name = "k3j9x0qv7m2z8w4r1t6y5u0p9o8i7n3b2v1c4x5z6a7s8d9f0g1h2j3k4l5q.t.corp.example";
        var query = Builders.Packets.DnsQuery(name);
        var framed = new byte[3 * (2 + query.Length)];
        for (int i = 0; i < 3; i++)
        {
            framed[i * (2 + query.Length) + 1] = (byte)query.Length;
            query.CopyTo(framed, i * (2 + query.Length) + 2);
        }
        var flow = new Flow(1, IpProtocol.Tcp, IpAddr.FromV4(0x0a4d000a), 50000, IpAddr.FromV4(0x0a4d0001), 53, 0, opened: true);
        var observer = new FlowRhythm();
        int cut = 2 * (2 + query.Length) + 30;
        Send(observer, flow, true, 7001, 0, framed[..cut]);
        Send(observer, flow, false, 9001, 0, new byte[120]);
        Send(observer, flow, true, 7001 + (uint)cut, 0, framed[cut..]);
        var rhythm = observer.Take(flow);
        Assert.NotNull(rhythm);
        Assert.Equal(3, rhythm.DnsQueries);
        Assert.Equal(name.Length, rhythm.DnsNameLength, 9);
        Assert.InRange(rhythm.DnsNameEntropy, 4.5, 5.5);
        Assert.Equal(FeatureSet.Dns, FlowFeatures.SetOf(flow, rhythm));

        // A connection the capture joined midstream (no SYN seen) may start inside a message: no query is read from it.
        var joined = new Flow(2, IpProtocol.Tcp, IpAddr.FromV4(0x0a4d000a), 50001, IpAddr.FromV4(0x0a4d0001), 53, 0, opened: false);
        Send(observer, joined, true, 7001, 0, framed);
        Assert.Equal(0, observer.Take(joined)!.DnsQueries);
    }

    private static byte[] EchoData(int size, byte[] data) => [0x12, 0x34, 0, 1, .. data.AsSpan(0, size)];

    [Fact]
    public void APingsRequestsRepeatAndATunnelsVaryInSizeAndBytes()
    {
        // iputils' ping: 16 bytes of send time, then 0x10, 0x11... to 56 bytes. The echo flow was judged as `timing`:
        // a short tunnel the size of a ping departed by nothing.
        var flow = new Flow(1, IpProtocol.Icmp, IpAddr.FromV4(0x0a4d000a), 0, IpAddr.FromV4(0x0a4d0001), 0, 0, opened: true);
        var observer = new FlowRhythm();
        for (int seq = 0; seq < 4; seq++)
        {
            var data = new byte[56];
            BitConverter.TryWriteBytes(data, 1_764_566_400L + seq);
            BitConverter.TryWriteBytes(data.AsSpan(8), 1000L * seq + 17);
            for (int i = 16; i < 56; i++) data[i] = (byte)i;
            Send(observer, flow, true, 0, 8, EchoData(56, data));
            Send(observer, flow, false, 0, 0, EchoData(56, data));
        }
        var ping = observer.Take(flow)!;
        Assert.Equal(FeatureSet.Echo, FlowFeatures.SetOf(flow, ping));
        Assert.Equal(4, ping.Echo!.Requests);
        Assert.Equal(1, ping.Echo.Repeats);
        Assert.Equal(0, ping.Echo.SizeVariation);

        var random = new Random(5);
        foreach (int size in new[] { 51, 90, 48, 120 })
        {
            var data = new byte[size];
            random.NextBytes(data);
            Send(observer, flow, true, 0, 8, EchoData(size, data));
        }
        var tunnel = observer.Take(flow)!;
        Assert.Equal(0, tunnel.Echo!.Repeats);
        Assert.InRange(tunnel.Echo.SizeVariation, 0.3, 0.5);
        var raw = FlowFeatures.Raw(flow, FeatureSet.Echo, tunnel, default);
        var names = FlowFeatures.Of(FeatureSet.Echo).Select(f => FlowFeatures.Names[f]).ToList();
        Assert.Equal(0, raw[names.IndexOf("echo-repeat")]);
        Assert.Equal(tunnel.Echo.SizeVariation, raw[names.IndexOf("echo-size-variation")]);
    }

    [Fact]
    public void AnEchoOfOneRequestLooksLikeAPing()
    {
        var echo = new EchoPayloads();
        echo.Add(new byte[10], 10);
        Assert.Equal(1, echo.Repeats);
        Assert.Equal(0, echo.SizeVariation);
        // Short data, all of it within the stamp's bytes, is compared whole.
        echo.Add(new byte[10], 10);
        echo.Add([1, 0, 0, 0, 0, 0, 0, 0, 0, 0], 10);
        Assert.Equal(0.5, echo.Repeats);
        // A request the snap length cut counts with its sent size.
        echo.Add(new byte[10], 1000);
        Assert.InRange(echo.SizeVariation, 1.5, 1.8);
    }
}
