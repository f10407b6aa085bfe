using PortAudit.Flows;
using PortAudit.Sources;
using PortAudit.Sources.Records;
using PortAudit.Sources.Records.Ipfix;
using PortAudit.Tests.Audit;
using PortAudit.Tests.Sources.Live;
using Xunit.Abstractions;

namespace PortAudit.Tests.Sources.Records;

/// <summary>
/// A capture audited directly and the IPFIX softflowd exports from it, audited with the same catalog and inventory
/// three ways: received by the collector, saved as an IPFIX file, and through nfcapd then nfdump's csv. Flows matched
/// by 5-tuple get the same verdicts wherever the capture's verdict rests on the port; every difference is one of
/// evidence (see <see cref="VerdictComparison"/>).
/// </summary>
[Trait(Tier.Name, Tier.Peer)]
public class SoftflowdVerdictTests(ITestOutputHelper output)
{
    [NeedsProgramFact("softflowd", package: "softflowd nfdump", also: "nfcapd")]
    public void The_lab_captures_and_their_softflowd_exports_get_the_same_verdicts_where_the_port_decides()
    {
        // 5-tuples with equal verdicts, differences explained by evidence, 5-tuples one side lacks. The lab's one
        // difference: dynamic RPC to the DC that inspection tied to the endpoint mapper. Unmatched: softflowd exports
        // an ICMP error as a flow of its own, where our flow table folds it into the UDP flow it answers.
        Compare(SharedData.InRepository("captures/lab.pcapng"), "captures/lab.yaml", 15, 1, 1);
        Compare(SharedData.InRepository("captures/sip-lab.pcapng"), "captures/sip-lab.yaml", 3, 0, 0);
    }

    [NeedsProgramFact("softflowd", shared: "captures/sv-dcerpc-zerologon.pcap", package: "softflowd nfdump", also: "nfcapd")]
    public void Dynamic_rpc_explained_by_the_endpoint_mapper_is_a_difference_of_evidence()
    {
        // The capture's NETLOGON flows on 49668 are expected-dynamic-rpc because inspection read the mapper's answer;
        // their records say only "a port in the dynamic range".
        Compare(SharedData.Path("captures/sv-dcerpc-zerologon.pcap")!, "tests/PortAudit.Tests/Audit/Inventories/sv-dcerpc-zerologon.yaml", 32, 21, 0);
    }

    private void Compare(string path, string inventory, int same, int explained, int unmatched)
    {
        var context = VerdictComparison.Context(SharedData.InRepository(inventory));
        var direct = SharedCaptureAuditTests.Audit(context, path).Flows;

        using var stop = new CancellationTokenSource();
        using var collector = IpfixCollectorSource.Open("127.0.0.1:0", stop.Token);
        SoftflowdExport.To(path, collector.LocalEndPoint.Port);
        stop.CancelAfter(TimeSpan.FromSeconds(1));
        var collected = SharedCaptureAuditTests.Audit(context, [collector]).Flows;

        var file = Path.Combine(Path.GetTempPath(), $"portaudit-softflowd-{Guid.NewGuid():N}");
        string nfcapd = Directory.CreateTempSubdirectory("portaudit-nfcapd").FullName;
        try
        {
            File.WriteAllBytes(file + ".ipfix", SoftflowdExport.AsFile(path));
            var saved = SharedCaptureAuditTests.Audit(context, [new RecordFileSource(file + ".ipfix")]).Flows;
            SoftflowdExport.ThroughNfcapd(nfcapd, port => SoftflowdExport.To(path, port));
            File.WriteAllText(file + ".csv", SoftflowdExport.NfdumpCsv(nfcapd));
            var nfdump = SharedCaptureAuditTests.Audit(context, [new RecordFileSource(file + ".csv")]).Flows;

            Assert.All(collected.Concat(saved).Concat(nfdump), f => Assert.Equal(FlowEvidence.PortOnly, f.Flow.Evidence));
            var comparison = VerdictComparison.Of(direct, collected);
            output.WriteLine(comparison.ToString());
            Assert.Empty(comparison.Unexplained);
            Assert.Equal((same, explained, unmatched), (comparison.Same.Count, comparison.Explained.Count, comparison.Unmatched.Count));
            // The three ways of receiving the same export agree with each other exactly.
            Assert.Equal(comparison.ToString(), VerdictComparison.Of(direct, saved).ToString());
            Assert.Equal(comparison.ToString(), VerdictComparison.Of(direct, nfdump).ToString());
        }
        finally
        {
            File.Delete(file + ".ipfix");
            File.Delete(file + ".csv");
            Directory.Delete(nfcapd, recursive: true);
        }
    }
}
