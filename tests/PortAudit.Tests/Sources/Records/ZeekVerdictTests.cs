using PortAudit.Flows;
using PortAudit.Sources;
using PortAudit.Sources.Records;
using PortAudit.Tests.Audit;
using Xunit.Abstractions;

namespace PortAudit.Tests.Sources.Records;

/// <summary>
/// Each Zeek conn.log of ../shared/flowdata audited against its source capture (MANIFEST.md names it: the pcap in the
/// same folder) with one inventory, drafted from the capture: flows matched by 5-tuple get the same verdicts where both
/// rest on the port, and every difference is one of evidence (Zeek's service against our inspection).
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class ZeekVerdictTests(ITestOutputHelper output)
{
    [SharedDataFact("flowdata")]
    public void Every_zeek_conn_log_gets_the_verdicts_of_its_capture_where_the_port_decides()
    {
        // Per conn.log: 5-tuples with equal verdicts, differences explained by evidence, 5-tuples one side lacks. Zeek's
        // misordered NTP names the reply's sender, Apple's public server, as originator: since the draft leaves Internet
        // hosts unlisted (it drafted that server a domain controller before), neither direction meets a rule and the
        // verdicts agree. VXLAN: the four tunnels' own UDP flows and the ICMP flow inside, as Zeek logs them.
        var expected = new Dictionary<string, (int Same, int Explained, int Unmatched)>
        {
            // The FTP server on the Internet publishes nothing in the drafted inventory (KB832017's FTP row is a listener row,
            // docs/catalog.md "Published services"): the control connection and the four data connections its PASV
            // announcements tie to the FTP rule are unexpected from the capture and from the log alike.
            ["ftp-ipv4/conn.log"] = (5, 0, 0),
            ["ftp-ipv4/conn.btest-baseline.log"] = (5, 0, 0),
            ["dhcp-all-msg-types/conn.log"] = (4, 0, 0),
            ["krb-tcp-optional-service-name/conn.log"] = (1, 0, 0),
            ["ldap-ad-krb5-sign-seal/conn.log"] = (1, 0, 0),
            ["ldap-ad-spnego-ntlmssp/conn.log"] = (2, 0, 0),
            ["ntp-misordered/conn.log"] = (1, 0, 0),
            ["q-in-q-vlan-logging/conn.log"] = (2, 0, 0),
            ["rdp-udp-handshake/conn.log"] = (1, 0, 0),
            ["vxlan-tunnel/conn.log"] = (5, 0, 0),
            ["wikipedia-dns-http/conn.log"] = (34, 0, 0),
        };
        var failures = new List<string>();
        foreach (var (log, counts) in expected)
        {
            string path = SharedData.Path("flowdata/zeek/" + log)!;
            string capture = Directory.GetFiles(Path.GetDirectoryName(path)!, "*.pcap").Single();
            var context = VerdictComparison.DraftedContext(capture);
            var direct = SharedCaptureAuditTests.Audit(context, capture).Flows;
            var zeek = SharedCaptureAuditTests.Audit(context, [new RecordFileSource(path)]).Flows;
            Assert.All(zeek, f => Assert.NotEqual(FlowEvidence.Inspected, f.Flow.Evidence));
            var comparison = VerdictComparison.Of(direct, zeek);
            output.WriteLine($"{log}:\n{comparison}\n");
            var actual = (comparison.Same.Count, comparison.Explained.Count, comparison.Unmatched.Count);
            if (comparison.Unexplained.Count > 0 || actual != counts)
                failures.Add($"{log}: {actual} with {comparison.Unexplained.Count} unexplained, expected {counts}");
        }
        Assert.Empty(failures);
    }
}
