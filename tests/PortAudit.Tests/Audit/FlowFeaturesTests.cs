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
        Assert.Equal(4, FlowFeatures.Raw(record, FeatureSet.BytesOnly, null).Length);

        var counted = NewFlow();
        counted.Count(fromClient: true, 60, 1_000, TcpFlags.Syn, 0);
        Assert.Equal(FeatureSet.Counters, FlowFeatures.SetOf(counted, null));

        var rhythm = new Rhythm();
        rhythm.Add(1_000, 100);
        Assert.Equal(FeatureSet.Timing, FlowFeatures.SetOf(counted, rhythm));
        Assert.Equal(9, FlowFeatures.Raw(counted, FeatureSet.Timing, rhythm).Length);

        rhythm.AddQuery(15, 3.1);
        Assert.Equal(FeatureSet.Dns, FlowFeatures.SetOf(counted, rhythm));
        Assert.Equal(FlowFeatures.Names.Length, FlowFeatures.Raw(counted, FeatureSet.Dns, rhythm).Length);
    }

    [Fact]
    public void ADnsQuestionIsMeasuredByLengthAndEntropy()
    {
        Assert.True(DnsQuestion.TryMeasure(Scenarios.AnomalySite.DnsQueryFor("www.example.org"), out int length, out double entropy));
        Assert.Equal(15, length);
        Assert.InRange(entropy, 2.5, 3.5);
        string random = "k3j9x0qv7m2z8w4r1t6y5u0p9o8i7n3b2v1c4x5z6a7s8d9f0g1h2j3k4l5q";
        Assert.True(DnsQuestion.TryMeasure(Scenarios.AnomalySite.DnsQueryFor(random + ".t.example.net"), out _, out double tunnel));
        Assert.True(tunnel > 4.5, $"entropy {tunnel}");
        Assert.False(DnsQuestion.TryMeasure(Scenarios.AnomalySite.DnsAnswerFor(Scenarios.AnomalySite.DnsQueryFor("www.example.org")), out _, out _));
    }

    [Theory]
    [InlineData("a>b|udp/53|dns", FeatureSet.Dns)]
    [InlineData("a>b|tcp/389|timing", FeatureSet.Timing)]
    [InlineData("a>b|*|counters", FeatureSet.Counters)]
    [InlineData("*|*|bytes-only", FeatureSet.BytesOnly)]
    public void AModelKeyNamesItsFeatureSet(string key, FeatureSet set) => Assert.Equal(set, ModelFitter.SetOf(key));
}
