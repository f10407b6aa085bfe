using PortAudit.Audit;
using PortAudit.Audit.Anomaly;
using PortAudit.Report;

namespace PortAudit.Tests.Report;

/// <summary>
/// An anomalous finding is explained where a person reads it (report.md, report.html): its score against the model's
/// threshold, the model, and the departing features with the flow's value and the pair's normal range.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class AnomalyTextTests
{
    private static Finding Anomalous()
    {
        var finding = new Finding(FindingKind.Anomalous, "ws1", "fs1", ["workstation"], ["file-server"], "tcp", "445", "smb-file", "departs from its role pair's model")
        {
            Anomaly = new AnomalyEvidence(),
        };
        finding.Anomaly.Note(new Judgement(9.25, 2.125, Judgement.Components), "workstation>file-server|tcp/445|timing",
            [new Departure("bytes-to-server", 12_582_912, 1024, 65_536), new Departure("data-gap-variation", 0.0312, 0.5, 1.25)]);
        return finding;
    }

    [Fact]
    public void AFindingOfOneFeaturesDepartureSaysSo()
    {
        var finding = Anomalous();
        finding.Anomaly!.Note(new Judgement(40, 5, Judgement.Feature), "workstation>iis-web-server|tcp/443|timing",
            [new Departure("pair-start-variation", 0, 0.6, 1.4)]);

        Assert.Contains("score 40 over threshold 5 (one feature's departure in standard deviations, model workstation>iis-web-server|tcp/443|timing)",
            FindingText.Anomaly(finding));
    }

    [Fact]
    public void TheWhyOfAnAnomalousFindingCarriesScoreThresholdModelAndDepartures()
    {
        string why = FindingText.Why(Anomalous(), "; ");

        Assert.Contains("score 9.25 over threshold 2.125 (model workstation>file-server|tcp/445|timing)", why);
        Assert.Contains("bytes-to-server 12,582,912 (normal 1,024 to 65,536)", why);
        Assert.Contains("data-gap-variation 0.031 (normal 0.5 to 1.25)", why);
    }

    // base.pcap against a model learned with --margin 0.3: finding 855b59f5b4a9c43a listed "packets-to-server 55 (normal
    // 2 to 55)" among its departures, a value inside the range it was said to depart from.
    [Fact]
    public void AFeatureAmongTheFurthestThatIsInsideItsRangeSaysSo()
    {
        var finding = Anomalous();
        finding.Anomaly!.Note(new Judgement(12.5, 2.125, Judgement.Components), "workstation>file-server|tcp/445|timing",
            [new Departure("bytes-to-client", 9, 100, 5000), new Departure("packets-to-server", 55, 2, 55)]);

        string text = FindingText.Anomaly(finding)!;
        Assert.Contains("bytes-to-client 9 (normal 100 to 5,000)", text);
        Assert.Contains("packets-to-server 55 (within normal 2 to 55)", text);
    }

    [Fact]
    public void OtherFindingsSayNothingOfAModel()
    {
        var finding = new Finding(FindingKind.Unexpected, "ws1", "fs1", [], [], "tcp", "445", null, "no rule");

        Assert.Null(FindingText.Anomaly(finding));
        Assert.Equal("no rule", FindingText.Why(finding, "; "));
    }
}
