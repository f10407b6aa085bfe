using PortAudit.Audit;
using PortAudit.Common;
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

    [NeedsProgramFact("softflowd", package: "softflowd")]
    public void Softflowds_biflows_name_the_capture_s_clients_where_a_syn_or_a_catalog_port_tells()
    {
        // softflowd -b exports each flow as one RFC 5103 biflow, the lower address as source, without biflowDirection.
        // Taken for the client, fe01 (10.77.0.10) became a client of client01 on 5060 and 53160, the refused 5061 a
        // flow from fe01's 5061, and the lab's one required-blocked finding went, 15 unexpected ones in its place.
        string capture = SharedData.InRepository("captures/lab.pcapng");
        var context = VerdictComparison.Context(SharedData.InRepository("captures/lab.yaml"));
        var direct = SharedCaptureAuditTests.Audit(context, capture);
        string file = Path.Combine(Path.GetTempPath(), $"portaudit-softflowd-b-{Guid.NewGuid():N}.ipfix");
        try
        {
            File.WriteAllBytes(file, SoftflowdExport.AsFile(capture, "-b"));
            var biflows = SharedCaptureAuditTests.Audit(context, [new RecordFileSource(file)]);
            var clients = direct.Flows.Select(f => f.Flow).Where(f => f.Protocol != IpProtocol.Icmp)
                .ToDictionary(f => FlowKey.Create(f.Client, f.ClientPort, f.Server, f.ServerPort, f.Protocol, out _), f => (f.Client, f.ClientPort));
            var turned = biflows.Flows.Select(f => f.Flow)
                .Where(f => clients.TryGetValue(FlowKey.Create(f.Client, f.ClientPort, f.Server, f.ServerPort, f.Protocol, out _), out var c)
                    && c != (f.Client, f.ClientPort))
                .Select(f => $"{f.Client}:{f.ClientPort}>{f.Server}:{f.ServerPort} {f.Sides.Name()}").Order(StringComparer.Ordinal).ToList();
            output.WriteLine(string.Join('\n', turned));
            // Left turned: two flows the records cannot place, both directions started in one millisecond with SYN and
            // ACK OR-ed into each, neither port the catalog's (the unexpected 8000, dynamic RPC on 49153); the ports
            // decided, and their sides say so.
            Assert.Equal(["10.77.0.10:8000>10.77.0.100:40754 ports", "10.77.0.30:49153>10.77.0.100:32856 ports"], turned);
            var refused = Assert.Single(biflows.Report.Findings, f => f.Kind == FindingKind.RequiredBlocked);
            Assert.Equal(("client01", "fe01", "5061"), (refused.ClientHost, refused.ServerHost, refused.Ports));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [NeedsProgramFact("softflowd", package: "softflowd")]
    public void Softflowds_export_of_a_SYN_that_was_the_captures_last_packet_is_unanswered_at_end()
    {
        // UnansweredAtEndTests' capture: an answered flow to fe01:443, then a SYN to its required 5061 as the last packet.
        // softflowd -a keeps the capture's times; before, its record of the SYN was a failed attempt and a
        // required-blocked finding, where the capture's own audit says unanswered at end of input.
        string directory = Directory.CreateTempSubdirectory("portaudit-softflowd-end").FullName;
        try
        {
            string capture = Path.Combine(directory, "syn-at-end.pcap"), ipfix = Path.Combine(directory, "syn-at-end.ipfix");
            File.WriteAllBytes(capture, UnansweredAtEndTests.Capture(0));
            File.WriteAllBytes(ipfix, SoftflowdExport.AsFile(capture, "-a"));

            var (flows, report) = SharedCaptureAuditTests.Audit(Store.StoreFileAnswerTests.Lab.Value, [new RecordFileSource(ipfix)]);

            UnansweredAtEndTests.AssertUnansweredAtEnd(flows, report);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
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
