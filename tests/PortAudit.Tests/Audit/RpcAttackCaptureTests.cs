using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Tests.Inspect;

namespace PortAudit.Tests.Audit;

/// <summary>
/// Public captures of real attacks (../shared/captures-extra, MANIFEST.md) audited against the repository's catalog
/// with the inventory a site would have: the attacker's machine a workstation, the target a domain controller or a
/// member server. The port of each is allowed; what runs over it is not.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class RpcAttackCaptureTests
{
    private static readonly Lazy<RoleCatalog> Repository = new(() => CatalogLoader.Load(SharedData.InRepository("rules")));

    private static AuditReport Audit(string capture, string client, string server, string serverRoles)
    {
        string path = Path.Combine(Path.GetTempPath(), $"portaudit-attack-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, $"""
            hosts:
              - name: ws01
                addresses: [{client}]
                roles: [workstation, windows-host]
              - name: target
                addresses: [{server}]
                roles: [{serverRoles}]
            segments:
              - name: lan
                cidrs: [10.0.0.0/8, 172.16.0.0/12]
                zone: internal
            """);
        try
        {
            var context = AuditContext.Create(Repository.Value, InventoryLoader.Load(path, Repository.Value));
            return SharedCaptureAuditTests.Audit(context, InspectTestData.Extra(capture)).Report;
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static Finding RpcFinding(AuditReport report, string port) =>
        Assert.Single(report.Findings, f => f.Kind == FindingKind.RpcInterface && f.Ports == port);

    [SharedDataFact("captures-extra/cl-printnightmare-packetcapture_2.pcap")]
    public void PrintNightmareAddsAPrinterDriverOnTheDomainController()
    {
        var report = Audit("cl-printnightmare-packetcapture_2.pcap", "172.16.5.67", "172.16.5.58", "domain-controller, dns-server");
        var spooler = RpcFinding(report, "49677");
        Assert.Equal(Severity.High, spooler.Severity);
        Assert.Contains("SPOOLSS", spooler.Reason);
        Assert.Contains("89 RpcAddPrinterDriverEx", spooler.Reason);
        // The same client's DRSUAPI name translation and its NETLOGON and LSARPC calls are what every member does.
        Assert.DoesNotContain(report.Findings, f => f.Kind == FindingKind.RpcInterface && f.Reason!.Contains("DRSUAPI", StringComparison.Ordinal));
    }

    [SharedDataFact("captures-extra/cl-printnightmare-packetcapture_2.pcap")]
    public void OnAPrintServerOnlyTheDriverIsAFinding()
    {
        var report = Audit("cl-printnightmare-packetcapture_2.pcap", "172.16.5.67", "172.16.5.58", "domain-controller, dns-server, print-server");
        var spooler = RpcFinding(report, "49677");
        Assert.StartsWith("DCE/RPC operation 89 RpcAddPrinterDriverEx of SPOOLSS is not allowed", spooler.Reason, StringComparison.Ordinal);
    }

    [SharedDataFact("captures-extra/hc-dcomexec.pcapng")]
    public void DcomExecActivatesAnObjectOnAMemberServer()
    {
        var report = Audit("hc-dcomexec.pcapng", "10.1.1.2", "10.1.1.5", "file-server, windows-host");
        var activation = RpcFinding(report, "135");
        Assert.Equal(Severity.High, activation.Severity);
        Assert.Contains("ISystemActivator", activation.Reason);
    }

    [SharedDataFact("captures-extra/hc-wmiexec.pcapng")]
    public void WmiExecActivatesAndLogsInToWmi()
    {
        var report = Audit("hc-wmiexec.pcapng", "10.1.1.2", "10.1.1.5", "file-server, windows-host");
        Assert.Equal(Severity.High, RpcFinding(report, "135").Severity);
        Assert.Contains("IWbemLevel1Login", RpcFinding(report, "49154").Reason);
    }

    [SharedDataFact("captures-extra/cl-zerologon-CVE-2020-1472_test_win2019.pcap")]
    public void ZerologonFromAMemberIsItsSecureChannelAndFromAStrangerAFinding()
    {
        // NetrServerReqChallenge and NetrServerAuthenticate3 are every member's secure channel: from a named workstation
        // the capture shows nothing the catalog refuses; its 62 tries with zeroed credentials are a rate, not a call.
        var member = Audit("cl-zerologon-CVE-2020-1472_test_win2019.pcap", "172.16.0.10", "172.16.5.58", "domain-controller");
        Assert.DoesNotContain(member.Findings, f => f.Kind == FindingKind.RpcInterface);
        var stranger = Audit("cl-zerologon-CVE-2020-1472_test_win2019.pcap", "172.16.9.9", "172.16.5.58", "domain-controller");
        var netlogon = Assert.Single(stranger.Findings, f => f.Kind == FindingKind.RpcInterface);
        Assert.Equal(Severity.High, netlogon.Severity);
        Assert.Equal(62, netlogon.Tally.Flows);
    }
}
