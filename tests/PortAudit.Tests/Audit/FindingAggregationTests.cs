using PortAudit.Audit;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Inspect.DceRpc;
using PortAudit.Report.Audits;
using static PortAudit.Tests.Audit.AuditFixture;

namespace PortAudit.Tests.Audit;

/// <summary>
/// Findings aggregate by inventory host, or by zone for addresses the inventory does not name: their number and the
/// report's size grow with hosts, zones, ports and rules, never with flows or unknown addresses.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class FindingAggregationTests
{
    private const ushort Ssh = 22;

    /// <summary>An unanswered SYN from <paramref name="client"/>, built directly: thousands of them cost no capture.</summary>
    private static Flow Syn(long id, IpAddr client, IpAddr server, ushort port) =>
        new(id, IpProtocol.Tcp, client, (ushort)(1024 + id % 60000), server, port, 1_700_000_000_000_000_000 + id * 1000, opened: true);

    private static IpAddr Internal(int i) => IpAddr.FromV4(0x0A40_0000u + (uint)i);  // 10.64.0.0/10: internal, unnamed

    private static IpAddr External(int i) => IpAddr.FromV4(0x2C40_0000u + (uint)i);  // 44.64.0.0/10: Internet

    private static IpAddr At(string text) => IpAddr.TryParse(text, out var address) ? address : throw new ArgumentException(text);

    /// <summary>Audits <paramref name="count"/> SYNs to dc01:22, three of four from distinct internal addresses, one of four from the Internet.</summary>
    private static AuditReport ScanOfDc(int count, int offset = 0)
    {
        var auditor = Auditor();
        for (int i = 0; i < count; i++)
            auditor.Audit(Syn(i + 1, i % 4 == 3 ? External(offset + i) : Internal(offset + i), At(Dc), Ssh));
        return auditor.Complete();
    }

    private static IReadOnlyList<Finding> FlowFindings(AuditReport report) => report.Findings.Where(f => f.Kind != FindingKind.Missing).ToList();

    [Fact]
    public void UnknownSourcesAtAHostAreOneFindingPerZoneWithTheirAddressesCountedInside()
    {
        var findings = FlowFindings(ScanOfDc(4000));

        Assert.Equal(["(unmapped@external)", "(unmapped@internal)"], findings.Select(f => f.ClientHost).Order(StringComparer.Ordinal));
        Assert.All(findings, f => Assert.Equal(("dc01", "tcp", "22"), (f.ServerHost, f.Transport, f.Ports)));
        var fromInside = Assert.Single(findings, f => f.ClientHost == "(unmapped@internal)");
        Assert.Equal(3000, fromInside.Tally.Flows);
        Assert.Null(fromInside.ServerAddresses);
        var addresses = fromInside.ClientAddresses!;
        // Bounded: the first 256 addresses are counted one by one, the flows of the rest only summed.
        Assert.Equal(CappedCounter<IpAddr>.DefaultCapacity, addresses.Distinct);
        Assert.True(addresses.Overflowed);
        Assert.Equal(3000 - CappedCounter<IpAddr>.DefaultCapacity, addresses.OtherFlows);
        Assert.Equal(3000, addresses.Top(int.MaxValue).Sum(a => a.Value) + addresses.OtherFlows);
        Assert.Equal(Internal(0), addresses.Top(1)[0].Key);
        Assert.Equal(Finding.MaxFlowIds, fromInside.FlowIds.Count);
        Assert.Equal(Finding.MaxSamples, fromInside.Samples.Count);
    }

    [Fact]
    public void ReportSizeDoesNotGrowWithUnknownAddresses()
    {
        long Size(AuditReport report)
        {
            using var json = new MemoryStream();
            AuditJsonWriter.Write(json, report);
            return json.Length;
        }

        var small = ScanOfDc(2_000);
        var large = ScanOfDc(40_000);

        Assert.Equal(FlowFindings(small).Count, FlowFindings(large).Count);
        Assert.All(FlowFindings(large), f => Assert.True(f.ClientAddresses!.Distinct <= CappedCounter<IpAddr>.DefaultCapacity));
        // Twenty times the flows and addresses: only counts get longer (a few digits per number).
        Assert.InRange(Size(large) - Size(small), 0, 400);
    }

    [Fact]
    public void TrafficBetweenTwoUnnamedEndsIsOneFindingPerZonePairWithItsPortsCounted()
    {
        var auditor = Auditor();
        var perimeterHost = At("172.16.0.50");
        for (int i = 0; i < 600; i++)
            auditor.Audit(Syn(i + 1, Internal(i), perimeterHost, (ushort)(1 + i % 300)));
        for (int i = 0; i < 10; i++)
            auditor.Audit(Syn(1000 + i, Internal(i), At("10.99.0.1"), 443));

        var findings = FlowFindings(auditor.Complete());

        Assert.Equal(2, findings.Count);
        var scan = Assert.Single(findings, f => f.ServerHost == "(unmapped:perimeter)");
        Assert.Equal(("(unmapped@internal)", Finding.AnyPort, Finding.AnyPort, 600L), (scan.ClientHost, scan.Transport, scan.Ports, scan.Tally.Flows));
        // 300 ports, two flows each: the first 256 are counted apart, the flows of the 44 after them only summed.
        Assert.Equal(256, scan.ServerPorts!.Distinct);
        Assert.Equal((512L, 88L), (scan.ServerPorts.Top(int.MaxValue).Sum(p => p.Value), scan.ServerPorts.OtherFlows));
        Assert.Equal(new TransportPort(IpProtocol.Tcp, 1), scan.ServerPorts.Top(1)[0].Key);
        Assert.Equal(perimeterHost, Assert.Single(scan.ServerAddresses!.Top(10)).Key);
        var other = Assert.Single(findings, f => f.ServerHost == "(unmapped@internal)");
        Assert.Equal("443/tcp", Assert.Single(other.ServerPorts!.Top(10)).Key.ToString());
    }

    [Fact]
    public void AZonePairsPortsNameATransportWithoutPortsAlone()
    {
        var auditor = Auditor();
        auditor.Audit(Syn(1, Internal(1), At("10.99.0.1"), 443));
        auditor.Audit(new Flow(2, IpProtocol.Ipv6InIp, Internal(2), 0, At("10.99.0.1"), 0, 1_700_000_000_000_000_000, opened: false));
        auditor.Audit(new Flow(3, IpProtocol.Gre, Internal(3), 0, At("10.99.0.1"), 0, 1_700_000_000_000_000_000, opened: false));

        var finding = Assert.Single(FlowFindings(auditor.Complete()));

        // A 0 beside ipv6 or gre would read as a port (the tunnel's own flow, a finding's single service, says "ipv6").
        Assert.Equal(["443/tcp", "gre", "ipv6"], finding.ServerPorts!.Top(10).Select(p => p.Key.ToString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void IdsAreStableBetweenRunsAndDoNotDependOnUnknownAddresses()
    {
        var first = FlowFindings(ScanOfDc(400)).Select(f => f.Id).Order(StringComparer.Ordinal).ToList();
        var again = FlowFindings(ScanOfDc(400)).Select(f => f.Id).Order(StringComparer.Ordinal).ToList();
        var otherAddresses = FlowFindings(ScanOfDc(400, offset: 100_000)).Select(f => f.Id).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(2, first.Count);
        Assert.Equal(first, again);
        Assert.Equal(first, otherAddresses);
        Assert.Contains(FindingIdentity.Of(FindingKind.Unmapped, "(unmapped@internal)", "dc01", "tcp", "22", null), first);
    }

    [Fact]
    public void FindingCountsBytesAndTimeOfItsFlows()
    {
        var auditor = Auditor();
        var flows = FlowsOf([.. Handshake(Ws, Dc, Ssh), .. Refused(Ws, Dc, Ssh)]);
        foreach (var flow in flows) auditor.Audit(flow);

        var finding = Assert.Single(FlowFindings(auditor.Complete()));

        Assert.Equal(("clients", "dc01"), (finding.ClientHost, finding.ServerHost));
        Assert.Null(finding.ClientAddresses);
        Assert.Equal(flows.Sum(f => f.BytesToServer + f.BytesToClient), finding.Tally.Bytes);
        Assert.Equal((flows.Min(f => f.StartNs), flows.Max(f => f.EndNs)), (finding.Tally.FirstNs, finding.Tally.LastNs));
    }

    [Fact]
    public void AnEndpointMapperAnswerKeepsABoundedListOfTheFlowsThatUsedIt()
    {
        var mapping = new RpcMapping
        {
            TimeNs = 1, Mapper = At(Dc), MapperPort = 135, Client = At(Ws), InterfaceUuid = Guid.Empty, Transport = IpProtocol.Tcp,
            Address = At(Dc), Port = 49668,
        };
        for (int i = 0; i < 5000; i++) mapping.AddUse(new RpcMappingUse(i + 1, i, Internal(i), 50000));

        Assert.Equal((5000L, RpcMapping.MaxUses), (mapping.UseCount, mapping.Uses.Count));
        Assert.Equal(1, mapping.Uses[0].FlowId);
    }
}
