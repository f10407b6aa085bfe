using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;

namespace PortAudit.Tests.Audit;

/// <summary>
/// A connection another flow announced is judged by the rule for its protocol between the two ends, wherever the port
/// its announcement chose: the TFTP transfer that comes back from the server's new port is the RIS server's TFTP, not
/// traffic no rule allows.
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
}
