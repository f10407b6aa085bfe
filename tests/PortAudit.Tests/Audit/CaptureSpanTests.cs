using System.Text.Json;
using PortAudit.Audit;
using PortAudit.Pipeline;
using PortAudit.Sources.Files;
using PortAudit.Sources.Records;
using PortAudit.Tests.Builders;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Audit;

/// <summary>
/// The capture's span is the time it covers: per input, from its first packet to its last, joined as a union. Two
/// captures of a second each, 13 years apart, were once reported as one capture of 13 years, and that span made a
/// periodic flow's absence look like evidence.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class CaptureSpanTests : IDisposable
{
    // 2011-03-13 and 2023-11-14: about 12.7 years apart.
    private const long EarlyEpoch = 1_300_000_000, LateEpoch = 1_700_000_000;

    private readonly InProcessAudit _audit = new();

    public void Dispose() => _audit.Dispose();

    /// <summary>Writes a capture of one second starting at <paramref name="epoch"/>: ws opens port 22 on srv, answered, and closes a second later.</summary>
    private string OneSecondCapture(string name, long epoch, ushort clientPort)
    {
        var builder = new PcapBuilder(epochSeconds: epoch);
        builder.Add(Ethernet(Ipv4("10.0.0.1", "10.0.0.2", 6, Tcp(clientPort, 22, Syn))), 0);
        builder.Add(Ethernet(Ipv4("10.0.0.2", "10.0.0.1", 6, Tcp(22, clientPort, Syn | Ack))), 0.1);
        builder.Add(Ethernet(Ipv4("10.0.0.1", "10.0.0.2", 6, Tcp(clientPort, 22, Ack))), 1.0);
        var path = Path.Combine(_audit.Root, name);
        File.WriteAllBytes(path, builder.Build());
        return path;
    }

    private AuditOutcome AuditBoth()
    {
        // The catalog's rule (demo-epm, 135) made periodic: never seen between hosts that talked, it is missing only when
        // the capture covered the hour --min-span asks for.
        _audit.MakePeriodic("60s");
        using var run = _audit.Open(s => s with { MinimumSpan = TimeSpan.FromHours(1) });
        return run.Run(CaptureFileSource.Of([OneSecondCapture("early.pcap", EarlyEpoch, 50001), OneSecondCapture("late.pcap", LateEpoch, 50002)]));
    }

    [Fact]
    public void TwoOneSecondCapturesYearsApartCoverTwoSecondsInReportJson()
    {
        AuditBoth();

        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(_audit.OutDir, "report.json")));
        var capture = report.RootElement.GetProperty("capture");
        Assert.InRange(capture.GetProperty("seconds").GetDouble(), 1.9, 2.1);
        Assert.InRange(report.RootElement.GetProperty("provenance").GetProperty("capture").GetProperty("seconds").GetDouble(), 1.9, 2.1);
        // The first and last packets are still those of the whole run.
        Assert.StartsWith("2011-03-13", capture.GetProperty("start").GetString());
        Assert.StartsWith("2023-11-14", capture.GetProperty("end").GetString());
    }

    [Fact]
    public void AbsenceOverTwoCoveredSecondsIsNotMissing()
    {
        var outcome = AuditBoth();

        Assert.DoesNotContain(outcome.Report.Findings, f => f.Kind == FindingKind.Missing);
        var entry = Assert.Single(outcome.Report.Coverage, e => e.Rule.Id == "demo-epm");
        Assert.Equal(CoverageStatus.NotExercised, entry.Status);
        Assert.StartsWith("the capture spans 2 s", entry.NotExercisedReason);
    }

    [Fact]
    public void AnUndatedLogLineWidensNoSpanAndDatesNoFinding()
    {
        // ws reaches srv on 22 twice: once in a dated connection of a second, once in lines an ASA wrote without
        // `logging timestamp`. The undated flow once stood at the epoch and made the log span 54 years, enough for the
        // periodic rule's absence to count as missing.
        string log = Path.Combine(_audit.Root, "asa.log");
        File.WriteAllText(log,
            "Apr 29 2024 12:59:50: %ASA-6-302013: Built inbound TCP connection 1 for outside:10.0.0.1/50001 (10.0.0.1/50001) to inside:10.0.0.2/22 (10.0.0.2/22)\n" +
            "Apr 29 2024 12:59:51: %ASA-6-302014: Teardown TCP connection 1 for outside:10.0.0.1/50001 to inside:10.0.0.2/22 duration 0:00:01 bytes 100 TCP FINs\n" +
            "%ASA-6-302013: Built inbound TCP connection 2 for outside:10.0.0.1/50002 (10.0.0.1/50002) to inside:10.0.0.2/22 (10.0.0.2/22)\n" +
            "%ASA-6-302014: Teardown TCP connection 2 for outside:10.0.0.1/50002 to inside:10.0.0.2/22 duration 0:00:05 bytes 100 TCP FINs\n");
        _audit.MakePeriodic("60s");
        using var run = _audit.Open(s => s with { MinimumSpan = TimeSpan.FromHours(1) });
        var outcome = run.Run([new RecordFileSource(log, RecordFormat.CiscoAsa)]);

        Assert.Equal(1, outcome.Traffic.Records.Undated);
        Assert.DoesNotContain(outcome.Report.Findings, f => f.Kind == FindingKind.Missing);
        Assert.StartsWith("the capture spans 1 s", Assert.Single(outcome.Report.Coverage, e => e.Rule.Id == "demo-epm").NotExercisedReason);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(_audit.OutDir, "report.json")));
        var capture = report.RootElement.GetProperty("capture");
        Assert.Equal(("2024-04-29T12:59:50.000000Z", 1.0), (capture.GetProperty("start").GetString(), capture.GetProperty("seconds").GetDouble()));
        // The unexpected finding holds both flows and dates itself by the one with a time.
        var ssh = Assert.Single(report.RootElement.GetProperty("findings").EnumerateArray(), f => f.GetProperty("ports").GetString() == "22");
        var evidence = ssh.GetProperty("evidence");
        Assert.Equal((2, "2024-04-29T12:59:50.000000Z"), (evidence.GetProperty("flows").GetInt32(), evidence.GetProperty("first").GetString()));
    }
}
