using PortAudit.Flows;
using PortAudit.Sources;
using PortAudit.Sources.Records;
using PortAudit.Tests.Flows;
using Xunit.Abstractions;

namespace PortAudit.Tests.Sources.Records;

/// <summary>
/// Every real sample of ../shared/flowdata read by content, with the records read and rejected printed and checked,
/// and the samples that have an answer key (the pcap a Zeek conn.log came from, nfacctd's decoding of the pmacct
/// exports, the logstash codec's spec) checked against it.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class FlowDataSampleTests(ITestOutputHelper output)
{
    // file, records read, rejected, flows. Rejections: object names where ASA writes addresses (sample.log 43-44),
    // the crowdsec negative case (XX= where IN= belongs), data sets whose template is in another file.
    public static TheoryData<string, long, long, int> Samples => new()
    {
        { "zeek/ftp-ipv4/conn.log", 5, 0, 5 },
        { "zeek/ftp-ipv4/conn.btest-baseline.log", 5, 0, 5 },
        { "zeek/dhcp-all-msg-types/conn.log", 4, 0, 4 },
        { "zeek/krb-tcp-optional-service-name/conn.log", 1, 0, 1 },
        { "zeek/ldap-ad-krb5-sign-seal/conn.log", 1, 0, 1 },
        { "zeek/ldap-ad-spnego-ntlmssp/conn.log", 2, 0, 2 },
        { "zeek/ntp-misordered/conn.log", 1, 0, 1 },
        { "zeek/q-in-q-vlan-logging/conn.log", 2, 0, 2 },
        { "zeek/rdp-udp-handshake/conn.log", 1, 0, 1 },
        { "zeek/vxlan-tunnel/conn.log", 5, 0, 5 },
        { "zeek/wikipedia-dns-http/conn.log", 34, 0, 34 },
        { "zeek/unpaired-wrccdc2018-brimdata/conn.log", 92, 0, 92 },
        { "zeek/json-lines-elastic-beats/connection-json.log", 5, 0, 5 },
        { "asa/elastic-beats/sample.log", 43, 2, 40 },
        { "iptables/crowdsec-hub/iptables-logs.log", 3, 1, 3 },
        { "iptables/crowdsec-hub/iptables-scan-multi-port.log", 49, 0, 49 },
        { "iptables/crowdsec-hub/proxmox-iptables.log", 10, 0, 10 },
        { "windows-firewall/plaso/windows_firewall.log", 11, 0, 11 },
        { "windows-firewall/BetaHydri-ParseFirewallLog/pfirewall.log", 16807, 0, 16807 },
        { "ipfix/logstash-codec-netflow/ipfix.dat", 12, 0, 7 },
        { "ipfix/logstash-codec-netflow/netflow9_test_softflowd_tpl_data.dat", 7, 0, 4 },
        { "ipfix/logstash-codec-netflow/netflow9_test_valid01.dat", 7, 0, 4 },
        { "ipfix/logstash-codec-netflow/netflow9_test_invalid01.dat", 2, 0, 2 },
        { "ipfix/logstash-codec-netflow/netflow9_test_iptnetflow_reduced_size_encoding_tpldata260.dat", 12, 6, 12 },
        { "ipfix/logstash-codec-netflow/netflow9_test_paloalto_panos_data.dat", 0, 8, 0 },
    };

    [SharedDataFact("flowdata")]
    public void Every_sample_file_is_detected_and_read_without_a_failure()
    {
        var failures = new List<string>();
        foreach (var row in Samples)
        {
            string file = (string)row[0];
            var run = RecordRun.File(SharedData.Path("flowdata/" + file)!);
            output.WriteLine($"{file}: {run.Records.Read} read, {run.Records.Rejected} rejected, {run.Flows.Count} flows");
            foreach (var problem in run.Records.Problems) output.WriteLine($"  {problem}");
            var expected = ((long)row[1], (long)row[2], (int)row[3]);
            if ((run.Records.Read, run.Records.Rejected, run.Flows.Count) != expected || run.Summary.Errors.Count > 0)
                failures.Add($"{file}: {run.Records.Read}/{run.Records.Rejected}/{run.Flows.Count}, expected {expected}");
        }
        Assert.Empty(failures);
    }

    [SharedDataFact("flowdata")]
    public void Wazuh_test_lines_parse_as_their_format()
    {
        // The .ini files hold test cases; the log line is the text after "= " of each "log N pass|fail =" line.
        foreach (var (file, format, read, rejected) in new[]
                 {
                     ("asa/wazuh/cisco_asa.ini", RecordFormat.CiscoAsa, 4L, 1L), ("asa/wazuh/cisco_ftd.ini", RecordFormat.CiscoAsa, 1L, 2L),
                     ("asa/wazuh/pix.ini", RecordFormat.CiscoAsa, 3L, 0L), ("iptables/wazuh/iptables.ini", RecordFormat.Netfilter, 43L, 0L),
                 })
        {
            var lines = System.IO.File.ReadLines(SharedData.Path("flowdata/" + file)!)
                .Where(l => l.StartsWith("log ", StringComparison.Ordinal) && l.Contains(" = ", StringComparison.Ordinal))
                .Select(l => l[(l.IndexOf(" = ", StringComparison.Ordinal) + 3)..]);
            var run = RecordRun.Text(string.Join('\n', lines), format);
            output.WriteLine($"{file}: {run.Records.Read} read, {run.Records.Rejected} rejected");
            foreach (var problem in run.Records.Problems) output.WriteLine($"  {problem}");
            Assert.Equal((read, rejected), (run.Records.Read, run.Records.Rejected));
            Assert.All(run.Flows, f => Assert.Equal(FlowEvidence.FirewallLog, f.Evidence));
        }
    }

    [SharedDataFact("flowdata")]
    public void Zeek_conn_logs_agree_with_flows_of_their_captures()
    {
        // Per folder: the flows both agree on (endpoints, packets and bytes each endpoint sent). Not all: Zeek counts both
        // packets of misordered-ntp as the originator's. VXLAN's four UDP flows and the ICMP flow inside agree.
        var expected = new Dictionary<string, int>
        {
            ["ftp-ipv4/conn.log"] = 5, ["ftp-ipv4/conn.btest-baseline.log"] = 5, ["dhcp-all-msg-types/conn.log"] = 4,
            ["krb-tcp-optional-service-name/conn.log"] = 1, ["ldap-ad-krb5-sign-seal/conn.log"] = 1, ["ldap-ad-spnego-ntlmssp/conn.log"] = 2,
            ["ntp-misordered/conn.log"] = 0, ["q-in-q-vlan-logging/conn.log"] = 2, ["rdp-udp-handshake/conn.log"] = 1,
            ["vxlan-tunnel/conn.log"] = 5, ["wikipedia-dns-http/conn.log"] = 34,
        };
        foreach (var (log, agree) in expected)
        {
            string folder = Path.GetDirectoryName(SharedData.Path("flowdata/zeek/" + log))!;
            string capture = Directory.GetFiles(folder, "*.pcap").Single();
            var zeek = RecordRun.File(Path.Combine(folder, Path.GetFileName(log))).Flows.Select(RecordRun.Canonical).ToList();
            var ours = FlowRunner.Run(capture).Flows.Select(RecordRun.Canonical).ToHashSet();
            int same = zeek.Count(ours.Contains);
            output.WriteLine($"{log}: {zeek.Count} Zeek flows, {ours.Count} from the capture, {same} the same");
            Assert.Equal(agree, same);
        }
    }

    [SharedDataFact("flowdata")]
    public void The_real_zeek_log_of_ftp_gives_the_capture_flows_with_their_clients()
    {
        string folder = SharedData.Path("flowdata/zeek/ftp-ipv4")!;
        var zeek = RecordRun.File(Path.Combine(folder, "conn.log")).Flows;
        var ours = FlowRunner.Run(Path.Combine(folder, "ipv4.pcap")).Flows;
        static string Directed(Flow f) =>
            $"{f.Client}:{f.ClientPort}>{f.Server}:{f.ServerPort} {f.PacketsToServer}/{f.BytesToServer} {f.PacketsToClient}/{f.BytesToClient} {f.State} {f.StartNs / 1000}";
        Assert.Equal(ours.Select(Directed).Order(), zeek.Select(Directed).Order());
        Assert.All(zeek, f => Assert.StartsWith("C", f.RecordId));
        Assert.Equal(["ftp", "ftp-data"], zeek.Select(f => f.App!.Name).Distinct().Order());
    }

    [SharedDataFact("flowdata")]
    public void Pmacct_exports_give_the_records_and_totals_nfacctd_decoded()
    {
        foreach (var test in Directory.GetDirectories(SharedData.Path("flowdata/ipfix/pmacct")!))
        {
            var run = RecordRun.Of(Directory.GetFiles(test, "traffic-*.pcap").Order()
                .Select(p => (IFlowSource)new RecordFileSource(p, RecordFormat.Ipfix)).ToArray());
            var answers = System.IO.File.ReadLines(Path.Combine(test, "output-flow-00.json"))
                .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement).ToList();
            long packets = answers.Sum(a => a.GetProperty("packets").GetInt64()), bytes = answers.Sum(a => a.GetProperty("bytes").GetInt64());
            output.WriteLine($"{Path.GetFileName(test)}: {run.Records.Read} read, {run.Records.Rejected} rejected; nfacctd {answers.Count}");
            Assert.Equal(answers.Count, run.Records.Read);
            Assert.Equal(0, run.Records.Rejected);
            // Where nfacctd multiplies counters by the sampling rate its totals are not the exported ones; we keep those.
            string config = Path.Combine(test, "nfacctd-00.conf");
            if (System.IO.File.Exists(config) && System.IO.File.ReadAllText(config).Contains("nfacctd_renormalize: true", StringComparison.Ordinal)) continue;
            Assert.Equal(packets, run.Flows.Sum(f => f.PacketsToServer + f.PacketsToClient));
            Assert.Equal(bytes, run.Flows.Sum(f => f.BytesToServer + f.BytesToClient));
        }
    }

    [SharedDataFact("flowdata")]
    public void Templates_and_data_sent_apart_decode_in_order()
    {
        // As the logstash codec's spec feeds them: template packets first, then data.
        var pan = Concatenated("netflow9_test_paloalto_panos_tpl.dat", "netflow9_test_paloalto_panos_data.dat");
        Assert.Equal((8L, 0L), (pan.Records.Read, pan.Records.Rejected));
        var ssl = Assert.Single(pan.Flows, f => f.ClientPort == 39702);
        Assert.Equal(("10.32.105.103", "162.115.24.30", 443, "tls", FlowEvidence.ExporterAppId),
            (ssl.Client.ToString(), ssl.Server.ToString(), (int)ssl.ServerPort, ssl.App?.Name, ssl.Evidence));

        // Cisco ASA NSEL: initiator and responder bytes make one bidirectional flow per deleted connection.
        var asa = Concatenated("netflow9_test_cisco_asa_2_tpl_26x.dat", "netflow9_test_cisco_asa_2_tpl_27x.dat", "netflow9_test_cisco_asa_2_data.dat");
        var web = Assert.Single(asa.Flows, f => f.ClientPort == 61775);
        Assert.Equal((80, 81L, 763L, FlowState.Established), ((int)web.ServerPort, web.BytesToServer, web.BytesToClient, web.State));

        foreach (var files in new[]
                 {
                     new[] { "netflow9_test_fortigate_fortios_521_tpl.dat", "netflow9_test_fortigate_fortios_521_data256.dat", "netflow9_test_fortigate_fortios_521_data257.dat" },
                     ["netflow9_test_ubnt_edgerouter_tpl.dat", "netflow9_test_ubnt_edgerouter_data1024.dat", "netflow9_test_ubnt_edgerouter_data1025.dat"],
                     ["netflow9_test_nprobe_tpl.dat", "netflow9_test_nprobe_data.dat"], ["netflow9_test_cisco_asa_1_tpl.dat", "netflow9_test_cisco_asa_1_data.dat"],
                     ["ipfix_test_openbsd_pflow_tpl.dat", "ipfix_test_openbsd_pflow_data.dat"], ["ipfix_test_mikrotik_tpl.dat", "ipfix_test_mikrotik_data258.dat", "ipfix_test_mikrotik_data259.dat"],
                     ["ipfix_test_vmware_vds_tpl.dat", "ipfix_test_vmware_vds_data264.dat", "ipfix_test_vmware_vds_data266.dat"],
                     ["ipfix_test_yaf_tpls_option_tpl.dat", "ipfix_test_yaf_tpl45841.dat", "ipfix_test_yaf_data45841.dat", "ipfix_test_yaf_data45873.dat", "ipfix_test_yaf_data53248.dat"],
                     ["ipfix_test_netscaler_tpl.dat", "ipfix_test_netscaler_data.dat"], ["ipfix_test_barracuda_tpl.dat", "ipfix_test_barracuda_data256.dat"],
                     ["ipfix_test_juniper_mx240_junos151r6s3_opttpl512.dat", "ipfix_test_juniper_mx240_junos151r6s3_data512.dat"],
                     ["netflow9_test_juniper_srx_tplopt.dat"],
                 })
        {
            var run = Concatenated(files);
            output.WriteLine($"{files[0]}...: {run.Records.Read} read, {run.Records.Rejected} rejected, {run.Flows.Count} flows");
            foreach (var problem in run.Records.Problems) output.WriteLine($"  {problem}");
            Assert.Empty(run.Summary.Errors);
            Assert.Equal(run.Records.Read > 0, run.Flows.Count > 0);
        }
    }

    private static RecordRun Concatenated(params string[] files) =>
        RecordRun.Bytes(files.SelectMany(f => System.IO.File.ReadAllBytes(SharedData.Path("flowdata/ipfix/logstash-codec-netflow/" + f)!)).ToArray());
}
