using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Tests.Inspect;

namespace PortAudit.Tests.Audit;

/// <summary>
/// A connection another flow announced is judged by the rule for its protocol between the two ends, wherever the port
/// its announcement chose: the TFTP transfer that comes back from the server's new port is the RIS server's TFTP, not
/// traffic no rule allows; an SSDP answer to a domain controller's search, on the port the search left from, is no
/// mismatch with the controller's dynamic RPC range.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class AnnouncedConnectionAuditTests : IDisposable
{
    private readonly string _inventory = Path.Combine(Path.GetTempPath(), $"portaudit-tftp-{Guid.NewGuid():N}.yaml");

    public AnnouncedConnectionAuditTests() => File.WriteAllText(_inventory, """
        hosts:
          - name: ris
            addresses: [192.168.0.10]
            roles: [ris-server]
          - name: pxe-client
            addresses: [192.168.0.253]
            roles: [workstation]
        segments:
          - name: internal
            cidrs: [192.168.0.0/24]
        """);

    public void Dispose() => File.Delete(_inventory);

    [SharedDataFact("captures-extra/ndpi-tftp.pcap")]
    public void TheTransferFromTheServersNewPortIsTheRequestsRule()
    {
        var catalog = CatalogLoader.Load(SharedData.InRepository("rules"));
        var context = AuditContext.Create(catalog, InventoryLoader.Load(_inventory, catalog));
        var (flows, _) = SharedCaptureAuditTests.Audit(context, SharedData.Path("captures-extra/ndpi-tftp.pcap")!);

        var ours = flows.Where(f => f.Flow.Client.ToString().StartsWith("192.168.0.", StringComparison.Ordinal)).ToList();
        var request = Assert.Single(ours, f => f.Flow.ServerPort == 69);
        var transfer = Assert.Single(ours, f => f.Flow.ServerPort != 69);
        Assert.Equal("kb832017-ris-server-tftp-udp-69", request.Verdict.Rule?.Id);
        // The transfer goes from the server's port 3445 to the client's 50618: no rule names either port.
        Assert.Equal((AppLabel.Tftp, 50618), (transfer.Flow.App, (int)transfer.Flow.ServerPort));
        Assert.Equal((Verdict.Expected, "kb832017-ris-server-tftp-udp-69"), (transfer.Verdict.Verdict, transfer.Verdict.Rule?.Id));
    }

    private const string SearchingHosts = """
        hosts:
          - name: dc01
            addresses: [10.50.0.10]
            roles: [domain-controller]
          - name: media01
            addresses: [10.50.0.11]
            roles: [upnp-host]
          - name: tv01
            addresses: [10.50.0.9]
            roles: [workstation]
        segments:
          - name: lan
            cidrs: [10.50.0.0/24]
        """;

    // The searcher's M-SEARCH from 50001 and tv01's answer from a port of its own; the answer's verdict.
    private static (FlowAuditor Auditor, FlowVerdict Verdict) AnswerToASearchBy(string searcher)
    {
        var auditor = AuditFixture.RepositoryAuditor(SearchingHosts);
        var flows = SsdpAnswerAnnouncementTests.Inspect(SsdpAnswerAnnouncementTests.Search(searcher, 50001),
            SsdpAnswerAnnouncementTests.Answer("10.50.0.9", 41234, searcher, 50001));
        return (auditor, auditor.Audit(flows.Single(f => f.ServerPort == 50001)));
    }

    [Fact]
    public void An_ssdp_answer_on_the_port_a_search_left_from_is_no_dynamic_rpc_mismatch()
    {
        // dc01's search leaves from 50001, in the domain controller's dynamic RPC range (kb832017's any@internal rule); the
        // TV answers there from a port of its own. No rule names SSDP between a workstation and a domain controller.
        var (auditor, verdict) = AnswerToASearchBy("10.50.0.10");
        var finding = Assert.Single(auditor.Complete().Findings, f => f.Ports == "50001");

        Assert.Equal((Verdict.Unexpected, (string?)null), (verdict.Verdict, verdict.Rule?.Id));
        Assert.Equal("no rule between the two ends allows ssdp, which another flow announced on port 50001 (appDetail)", verdict.Reason);
        // The media range of Lync's rules covers 50001 too, but for RTP: no role there would allow SSDP.
        Assert.Null(finding.Explanation);
    }

    [Fact]
    public void An_ssdp_answer_to_a_upnp_hosts_search_is_the_ssdp_rules()
    {
        var (_, verdict) = AnswerToASearchBy("10.50.0.11");

        Assert.Equal((Verdict.Expected, "kb832017-upnp-host-ssdp-udp-1900"), (verdict.Verdict, verdict.Rule?.Id));
    }
}
