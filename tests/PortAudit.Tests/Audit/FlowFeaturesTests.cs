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
        Assert.Equal(FlowFeatures.Names.Length - 1, FlowFeatures.Raw(counted, FeatureSet.Dns, rhythm, default).Length);
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
}
