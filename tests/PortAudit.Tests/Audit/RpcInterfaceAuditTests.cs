using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Inspect.DceRpc;
using PortAudit.Inspect.Smb;
using PortAudit.Flows;
using PortAudit.Tests.Builders;
using PortAudit.Tests.Catalog;
using PortAudit.Tests.Inspect;
using static PortAudit.Tests.Audit.AuditFixture;

namespace PortAudit.Tests.Audit;

/// <summary>
/// An allowed port is not an allowed conversation: the rules' <c>interfaces</c> grants, judged against every interface
/// and operation a flow binds, on the repository's catalog (KB832017's domain controller and print server rows).
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class RpcInterfaceAuditTests
{
    private const string Ws = "10.0.8.7", Dc = "10.0.1.10", Dc2 = "10.0.1.11", Print = "10.0.1.20";
    private static readonly Guid Drsuapi = new("e3514235-4b06-11d1-ab04-00c04fc2dcd2"), Spoolss = new("12345678-1234-abcd-ef00-0123456789ab");

    private const string Inventory = """
        hosts:
          - name: ws01
            addresses: [10.0.8.7]
            roles: [workstation, windows-host]
          - name: dc01
            addresses: [10.0.1.10]
            roles: [domain-controller]
          - name: dc02
            addresses: [10.0.1.11]
            roles: [domain-controller]
          - name: print01
            addresses: [10.0.1.20]
            roles: [print-server, windows-host]
        segments:
          - name: lan
            cidrs: [10.0.0.0/8]
            zone: internal
        """;

    private static readonly Lazy<RoleCatalog> Repository = new(() => CatalogLoader.Load(SharedData.InRepository("rules")));

    private static FlowAuditor Auditor(string inventory = Inventory)
    {
        string path = Path.Combine(Path.GetTempPath(), $"portaudit-rpc-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, inventory);
        try
        {
            return new FlowAuditor(AuditContext.Create(Repository.Value, InventoryLoader.Load(path, Repository.Value)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static FlowVerdict Call(FlowAuditor auditor, string client, string server, ushort port, Guid iface, params ushort[] opnums)
    {
        var flow = Established(client, server, port);
        flow.App = AppLabel.DceRpc;
        flow.DceRpc = new DceRpcFacts(iface, 4, null, RpcEvidence.Bind);
        var binding = (flow.RpcCalls = new RpcCallLog()).Bind(iface, 4, "bind")!;
        foreach (var opnum in opnums) binding.Called(opnum);
        return auditor.Audit(flow);
    }

    [Fact]
    public void DsGetNCChangesFromAWorkstationIsAHighRpcInterfaceFindingWhileNameTranslationIsExpected()
    {
        var auditor = Auditor();
        var dcsync = Call(auditor, Ws, Dc, 49670, Drsuapi, 0, 3);
        var crackNames = Call(auditor, Ws, Dc, 49671, Drsuapi, 0, 12, 1);

        Assert.Equal((Verdict.Unexpected, FindingKind.RpcInterface, Severity.High), (dcsync.Verdict, dcsync.FindingKind, dcsync.Severity));
        Assert.Contains("operation 3 IDL_DRSGetNCChanges of DRSUAPI", dcsync.Reason);
        Assert.Equal("would be allowed if ws01 had role domain-controller (rule kb832017-domain-controller-replication-epm)", dcsync.Explanation);
        Assert.Equal((Verdict.ExpectedDynamicRpc, null), (crackNames.Verdict, crackNames.FindingKind));
        var finding = Assert.Single(auditor.Complete().Findings, f => f.Kind == FindingKind.RpcInterface);
        Assert.Equal((Severity.High, "49670"), (finding.Severity, finding.Ports));
        Assert.Contains(finding.FlowIds, id => id > 0);
    }

    [Fact]
    public void AnInterfaceTheServerRefusedIsALowRefusedAttemptWithNoRoleToSuggest()
    {
        // A bind of DRSUAPI, and of the spooler on a DC, answered with a rejection: nothing ran. The attempt is still
        // told, as an unexpected flow refused is, and no role is suggested for an interface the server would not bind.
        var auditor = Auditor();
        FlowVerdict Refused(ushort port, Guid iface)
        {
            var flow = Established(Ws, Dc, port);
            flow.App = AppLabel.DceRpc;
            flow.DceRpc = new DceRpcFacts(iface, 1, null, RpcEvidence.Bind);
            var binding = (flow.RpcCalls = new RpcCallLog()).Bind(iface, 1, "bind")!;
            binding.Offered();
            binding.Answered(accepted: false);
            return auditor.Audit(flow);
        }
        var dcsync = Refused(49670, Drsuapi);
        var spooler = Refused(49672, Spoolss);
        Assert.Equal((Verdict.Unexpected, FindingKind.RpcInterface, Severity.Low, null),
            (spooler.Verdict, spooler.FindingKind, spooler.Severity, spooler.Explanation));
        Assert.Equal("DCE/RPC interface SPOOLSS was offered from ws01 to dc01 and refused by the server: no rule between their roles grants it",
            spooler.Reason);
        // DRSUAPI is granted to members in part: offering it and being refused is no concern at all.
        Assert.Equal((Verdict.ExpectedDynamicRpc, null), (dcsync.Verdict, dcsync.FindingKind));
    }

    [Fact]
    public void ReplicationBetweenDomainControllersIsExpected() =>
        Assert.Equal((Verdict.ExpectedDynamicRpc, null), (Call(Auditor(), Dc2, Dc, 49670, Drsuapi, 0, 3) is var v ? (v.Verdict, v.FindingKind) : default));

    [Fact]
    public void TheSpoolerOnADomainControllerIsAFindingAndOnThePrintServerOnlyAddingADriverIs()
    {
        var auditor = Auditor();
        var onDc = Call(auditor, Ws, Dc, 49672, Spoolss, 69);
        var printing = Call(auditor, Ws, Print, 49672, Spoolss, 69, 17);
        var nightmare = Call(auditor, Ws, Print, 49673, Spoolss, 89);

        Assert.Equal((FindingKind.RpcInterface, Severity.High), (onDc.FindingKind, onDc.Severity));
        Assert.Equal("would be allowed if dc01 had role print-server (rule kb832017-print-server-dcerpc-epm)", onDc.Explanation);
        Assert.Equal(Verdict.ExpectedDynamicRpc, printing.Verdict);
        Assert.Equal(FindingKind.RpcInterface, nightmare.FindingKind);
        Assert.Contains("RpcAddPrinterDriverEx", nightmare.Reason);
    }

    [Fact]
    public void UninspectableRpcStaysAllowedByPortAndSaysSo()
    {
        var flow = Established(Ws, Dc, 445);
        flow.App = AppLabel.Smb;
        flow.RpcCalls = new RpcCallLog { Uninspectable = "smb3 encrypted" };
        var verdict = Auditor().Audit(flow);
        Assert.Equal((Verdict.Expected, "RPC uninspectable (smb3 encrypted): allowed by port only"), (verdict.Verdict, verdict.Reason));
    }

    [Fact]
    public void CallsThatCouldNotBeReadAreJudgedAsAnyCallUnlessEveryOperationIsGranted()
    {
        // The stream broke after DsBind (a gap, retransmissions that disagree): what a workstation called next on DRSUAPI,
        // granted to members only in part, is not known; between two DCs every operation is granted and nothing is held.
        var auditor = Auditor();
        FlowVerdict Lost(string client)
        {
            var flow = Established(client, Dc, 49670);
            flow.App = AppLabel.DceRpc;
            flow.DceRpc = new DceRpcFacts(Drsuapi, 4, null, RpcEvidence.Bind);
            var log = flow.RpcCalls = new RpcCallLog();
            log.Bind(Drsuapi, 4, "bind")!.Called(0);
            log.LoseCalls("a gap in the TCP stream");
            return auditor.Audit(flow);
        }
        var member = Lost(Ws);
        Assert.Equal((Verdict.Unexpected, FindingKind.RpcInterface, Severity.High), (member.Verdict, member.FindingKind, member.Severity));
        Assert.Equal("DCE/RPC interface DRSUAPI was bound from ws01 to dc01 but not all its calls could be read (a gap in the TCP stream): " +
                     "the rules between their roles grant DRSUAPI only 0,1,12,13,16", member.Reason);
        var replica = Lost(Dc2);
        Assert.Equal((Verdict.ExpectedDynamicRpc, "RPC uninspectable (a gap in the TCP stream): allowed by port only"), (replica.Verdict, replica.Reason));
    }

    // A capture of SMB messages on 445 from the workstation to the DC, through the flow table and inspection.
    private static Flow Smb(params (bool, byte[])[] messages) =>
        Assert.Single(InspectTestData.Inspect(Smb1Messages.Conversation(Ws, Dc, 445, messages)), f => f.ServerPort == 445);

    [Fact]
    public void DcSyncOverAnSmb1NamedPipeIsTheSameFindingAsOverSmb2()
    {
        // The same bind and GetNCChanges written to \\lsass on 445 from a workstation, once in each dialect, through the
        // flow table and inspection as a capture goes: choosing SMB1 hides nothing.
        byte[] bind = RpcCallPdus.Bind([(0, Drsuapi, 4)]), dcsync = RpcCallPdus.Request(0, 3);
        var smb1 = Smb(
            (true, Smb1Messages.Request(1, Smb1Messages.NegotiateOf(response: false))), (false, Smb1Messages.Response(1, Smb1Messages.NegotiateOf(response: true))),
            (true, Smb1Messages.Request(2, Smb1Messages.NtCreate("\\lsass"))), (false, Smb1Messages.Response(2, Smb1Messages.NtCreateResponse(0x4000))),
            (true, Smb1Messages.Request(3, Smb1Messages.WriteAndXOf(0x4000, bind))), (true, Smb1Messages.Request(4, Smb1Messages.TransactNmPipe(0x4000, dcsync))));
        var fileId = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
        var smb2 = Smb(
            (true, SmbPipeFollowerTests.Smb2(0, 0, new byte[36])), (false, SmbPipeFollowerTests.Smb2(0, 0, new byte[64], response: true)),
            (true, SmbPipeFollowerTests.CreateRequest(5, "lsass")), (false, SmbPipeFollowerTests.CreateResponse(5, fileId)),
            (true, SmbPipeFollowerTests.Write(6, fileId, bind)), (true, SmbPipeFollowerTests.Transceive(7, fileId, dcsync)));
        Assert.Equal(("DRSUAPI", "pipe lsass", "3", FlowWeakness.Smb1), (smb1.RpcCalls!.Bindings[0].Name, smb1.RpcCalls.Bindings[0].Via,
            string.Join(",", smb1.RpcCalls.Bindings[0].Opnums), smb1.Weakness));

        var auditor = Auditor();
        var overSmb1 = auditor.Audit(smb1);
        var overSmb2 = auditor.Audit(smb2);
        Assert.Equal((Verdict.Unexpected, FindingKind.RpcInterface, Severity.High), (overSmb1.Verdict, overSmb1.FindingKind, overSmb1.Severity));
        Assert.Contains("operation 3 IDL_DRSGetNCChanges of DRSUAPI", overSmb1.Reason);
        Assert.Equal((overSmb2.Verdict, overSmb2.FindingKind, overSmb2.Severity, overSmb2.Reason, overSmb2.Explanation),
            (overSmb1.Verdict, overSmb1.FindingKind, overSmb1.Severity, overSmb1.Reason, overSmb1.Explanation));
    }

    [Fact]
    public void AFindingOnAnSmbPortIsAsSevereAsItsWorstPipeAndNamesEachInterface()
    {
        // As rpcclient's eventlog_numrecord then `net rpc service` against smbd: the workstation reads the DC's event log
        // (EVENTLOG, which no rule grants it: medium), then opens the service manager in another session on the same
        // port and creates a service (SVCCTL, an attacker's interface: high). Both count in one finding, which the first
        // flow alone made medium and worded as EVENTLOG only.
        var fileId = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
        Flow Pipe(string pipe, Guid iface, ushort opnum) => Smb(
            (true, SmbPipeFollowerTests.Smb2(0, 0, new byte[36])), (false, SmbPipeFollowerTests.Smb2(0, 0, new byte[64], response: true)),
            (true, SmbPipeFollowerTests.CreateRequest(5, pipe)), (false, SmbPipeFollowerTests.CreateResponse(5, fileId)),
            (true, SmbPipeFollowerTests.Write(6, fileId, RpcCallPdus.Bind([(0, iface, 0)]))),
            (true, SmbPipeFollowerTests.Transceive(7, fileId, RpcCallPdus.Request(0, opnum))));
        var eventlog = Pipe("eventlog", new("82273fdc-e32a-18c3-3f78-827929dc23ea"), 7);
        var svcctl = Pipe("svcctl", new("367abb81-9844-35f1-ad32-98f038001003"), 12);

        var auditor = Auditor();
        var findings = new FindingBuilder();
        foreach (var flow in new[] { eventlog, svcctl }) findings.Record(flow, auditor.Audit(flow));
        var finding = Assert.Single(findings.Build(), f => f.Kind == FindingKind.RpcInterface);
        Assert.Equal((Severity.High, 2L), (finding.Severity, finding.Tally.Flows));
        Assert.Equal("DCE/RPC interface EVENTLOG (operations 7) is not allowed from ws01 to dc01: no rule between their roles grants it; " +
                     "DCE/RPC interface SVCCTL (operations 12 RCreateServiceW) is not allowed from ws01 to dc01: no rule between their roles grants it",
            finding.Reason);
    }

    [Fact]
    public void DcSyncOnAPipeOpenedBeforeTheCaptureBeganIsTheSameFinding()
    {
        // The capture began after the session, the tree and the CREATE (or NT_CREATE_ANDX) of \\lsass: only the writes and
        // their answers are in it. The bind names the interface, so the verdict is the one given with the open seen.
        byte[] bind = RpcCallPdus.Bind([(0, Drsuapi, 4)]), dcsync = RpcCallPdus.Request(0, 3);
        var fileId = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
        var smb2 = Smb(
            (true, SmbPipeFollowerTests.Write(6, fileId, bind)), (false, SmbPipeFollowerTests.Smb2(9, 6, new byte[16], response: true)),
            (true, SmbPipeFollowerTests.Transceive(7, fileId, dcsync)));
        var smb1 = Smb(
            (true, Smb1Messages.Request(3, Smb1Messages.WriteAndXOf(0x4000, bind))), (false, Smb1Messages.Response(3, Smb1Messages.WriteAndXResponse)),
            (true, Smb1Messages.Request(4, Smb1Messages.TransactNmPipe(0x4000, dcsync))));

        var auditor = Auditor();
        foreach (var flow in new[] { smb2, smb1 })
        {
            Assert.Equal(("DRSUAPI", SmbPipes.UnseenOpen, "3"), (flow.RpcCalls!.Bindings[0].Name, flow.RpcCalls.Bindings[0].Via, string.Join(",", flow.RpcCalls.Bindings[0].Opnums)));
            var verdict = auditor.Audit(flow);
            Assert.Equal((Verdict.Unexpected, FindingKind.RpcInterface, Severity.High), (verdict.Verdict, verdict.FindingKind, verdict.Severity));
            Assert.Equal("DCE/RPC operation 3 IDL_DRSGetNCChanges of DRSUAPI is not allowed from ws01 to dc01: " +
                         "the rules between their roles grant DRSUAPI only 0,1,12,13,16", verdict.Reason);
        }
    }

    [Fact]
    public void DcSyncInAOneSidedCaptureIsTheSameFinding()
    {
        // Only the client's side was captured (asymmetric routing): the SMB flow is never settled by a server's answer,
        // and its follower reads what was held when the flow ends.
        var fileId = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
        var flow = Smb(
            (true, SmbPipeFollowerTests.Write(6, fileId, RpcCallPdus.Bind([(0, Drsuapi, 4)]))), (true, SmbPipeFollowerTests.Transceive(7, fileId, RpcCallPdus.Request(0, 3))));
        var verdict = Auditor().Audit(flow);
        Assert.Equal((Verdict.Unexpected, FindingKind.RpcInterface, Severity.High), (verdict.Verdict, verdict.FindingKind, verdict.Severity));
        Assert.Contains("operation 3 IDL_DRSGetNCChanges of DRSUAPI", verdict.Reason);
    }

    [Fact]
    public void CallsOnAPipeWhoseBindWasNotSeenAreNotPassedSilently()
    {
        // The bind too came before the capture: the request names a context never seen bound, so no interface. The flow
        // stays allowed by its port (nothing names what was called) but says its RPC was not read.
        var fileId = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
        var flow = Smb(
            (true, SmbPipeFollowerTests.Transceive(7, fileId, RpcCallPdus.Request(0, 3))), (false, SmbPipeFollowerTests.Smb2(11, 7, new byte[48], response: true)));
        var verdict = Auditor().Audit(flow);
        Assert.Equal((Verdict.Expected, $"RPC uninspectable ({RpcAssociation.UnboundCalls}): allowed by port only"), (verdict.Verdict, verdict.Reason));
    }

    [Fact]
    public void ALegacySystemHandsOutDynamicPortsIn1025To5000()
    {
        string legacy = Inventory.Replace("    roles: [domain-controller]\n  - name: dc02",
            "    roles: [domain-controller]\n    features: [legacy-rpc-ports]\n  - name: dc02", StringComparison.Ordinal);
        Assert.NotEqual(Inventory, legacy);
        var netlogon = new Guid("12345678-1234-abcd-ef00-01234567cffb");

        var old = Call(Auditor(legacy), Ws, Dc, 1030, netlogon, 4);
        Assert.True(old.Verdict == Verdict.ExpectedDynamicRpc, old.Reason);
        Assert.NotEqual(Verdict.ExpectedDynamicRpc, Call(Auditor(), Ws, Dc, 1030, netlogon, 4).Verdict);
        Assert.Equal(Verdict.ExpectedDynamicRpc, Call(Auditor(), Ws, Dc, 49700, netlogon, 4).Verdict);
    }

    [Fact]
    public void TheUnitySecondaryPlaysTheUnityPrimarysRole() =>
        Assert.Contains("cisco-unity", Repository.Value.Closure(["unity-secondary"]));

    [Theory]
    [InlineData("NETLOGON", 30, true)]
    [InlineData("DRSUAPI only 0,1,12", 12, true)]
    [InlineData("DRSUAPI only 0,1,12", 3, false)]
    [InlineData("SPOOLSS except 89", 69, true)]
    [InlineData("SPOOLSS except 89", 89, false)]
    public void GrantsAllowTheOperationsTheySay(string entry, ushort opnum, bool allowed)
    {
        Assert.True(RpcGrant.TryParse(entry, out var grant, out var problem), problem);
        Assert.Equal(allowed, grant.Allows(opnum));
        Assert.Equal(entry, grant.ToString());
    }

    [Fact]
    public void AnUnknownInterfaceIsAnErrorAtItsEntry()
    {
        using var dir = new TempCatalog(TempCatalog.ValidRules.Replace("    protocol: epm\n", "    protocol: epm\n    interfaces: [NETLOGON, DRSAPI]\n", StringComparison.Ordinal));
        var error = Assert.Throws<CatalogException>(() => CatalogLoader.Load(dir.Dir));
        Assert.Contains("test.yaml:20:28:", error.Message);
        Assert.Contains("unknown RPC interface 'DRSAPI'", error.Message);
    }

    [Theory]
    [InlineData("10.0.8.7", true)]
    [InlineData("172.16.0.9", false)]
    public void TelnetIsAWeakProtocolOnlyAcrossZones(string client, bool across)
    {
        const string zones = """
            hosts:
              - name: ws01
                addresses: [10.0.8.7]
                roles: [workstation, windows-host]
              - name: admin-dmz
                addresses: [172.16.0.9]
                roles: [workstation, windows-host]
              - name: tn01
                addresses: [172.16.0.23]
                roles: [telnet-server]
            segments:
              - name: lan
                cidrs: [10.0.0.0/8]
                zone: internal
              - name: dmz
                cidrs: [172.16.0.0/16]
                zone: internal
            """;
        // Both segments internal but for the test's second zone: the DMZ in zone perimeter.
        var auditor = Auditor(zones.Replace("cidrs: [172.16.0.0/16]\n    zone: internal", "cidrs: [172.16.0.0/16]\n    zone: perimeter", StringComparison.Ordinal));
        var flow = Established(client, "172.16.0.23", 23);
        flow.App = AppLabel.Telnet;
        var verdict = auditor.Audit(flow);
        Assert.Equal(across, verdict.Weakness is { } w && w.StartsWith("telnet across zones (internal to perimeter)", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("telnet", false)]
    [InlineData("ftp", false)]
    [InlineData("dcerpc", true)]
    public void UrgentDataIsAWeaknessOnlyWhereTheProtocolDoesNotUseIt(string app, bool weak)
    {
        // Telnet's Synch (RFC 854) and an FTP client's ABORT (RFC 959) are urgent data by the protocol.
        var flow = Established(Ws, "10.0.1.10", 445);
        flow.App = AppLabel.Of(app);
        flow.Weakness = FlowWeakness.TcpUrgent;
        var verdict = Auditor(Inventory).Audit(flow);
        Assert.Equal(weak, verdict.Weakness?.Contains("tcp-urgent", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void RpcOverHttpsIsUninspectableAndSaysSo()
    {
        const string proxy = """
            hosts:
              - name: ws01
                addresses: [10.0.8.7]
                roles: [workstation, windows-host]
              - name: rpcproxy
                addresses: [10.0.1.30]
                roles: [rpc-over-http-proxy]
            segments:
              - name: lan
                cidrs: [10.0.0.0/8]
                zone: internal
            features: [rpc-over-https]
            """;
        var flow = Established(Ws, "10.0.1.30", 443);
        flow.App = AppLabel.Tls;
        var verdict = Auditor(proxy).Audit(flow);
        Assert.Equal((Verdict.Expected, "RPC uninspectable (rpc over https): allowed by port only"), (verdict.Verdict, verdict.Reason));
    }

    [Fact]
    public void CatalogListingsShowTheGrants()
    {
        var writer = new StringWriter();
        PortAudit.Report.Catalogs.RuleJsonWriter.Write(writer, Repository.Value.Rules.Where(r => r.Id.StartsWith("kb832017-domain-controller-dcerpc", StringComparison.Ordinal)));
        using var json = System.Text.Json.JsonDocument.Parse(writer.ToString());
        var rule = json.RootElement.EnumerateArray().First();
        Assert.Equal(["NETLOGON", "LSARPC", "SAMR", "DSSETUP", "DRSUAPI only 0,1,12,13,16"],
            rule.GetProperty("interfaces").EnumerateArray().Select(e => e.GetString()));
    }
}
