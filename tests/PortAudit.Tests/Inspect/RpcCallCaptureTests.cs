using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Inspect.DceRpc;
using Xunit.Abstractions;

namespace PortAudit.Tests.Inspect;

/// <summary>What the call logs and weaknesses show for real captures read through the normal pipeline.</summary>
[Trait(Tier.Name, Tier.Unit)]
public class RpcCallCaptureTests(ITestOutputHelper output)
{
    private static readonly Guid Spoolss = new("12345678-1234-abcd-ef00-0123456789ab");
    private static readonly Guid SystemActivator = new("000001a0-0000-0000-c000-000000000046");

    // Reads the capture and prints each flow's log, so that a failure shows what the capture held.
    private List<Flow> Read(string path)
    {
        var (flows, _) = InspectTestData.Inspect(path);
        foreach (var f in flows.Where(f => f.RpcCalls is not null || f.Weakness != FlowWeakness.None))
        {
            output.WriteLine($"{f.Transport} {f.ClientPort}->{f.ServerPort} {f.App} weakness={f.Weakness} uninspectable={f.RpcCalls?.Uninspectable}");
            foreach (var b in f.RpcCalls?.Bindings ?? [])
                output.WriteLine($"   {b.Name ?? b.Uuid.ToString()} v{b.MajorVersion} via {b.Via}: {string.Join(",", b.Opnums)}");
        }
        return flows;
    }

    private static string Summary(Flow flow) =>
        string.Join("; ", flow.RpcCalls!.Bindings.Select(b => $"{b.Name ?? b.Uuid.ToString()} {b.Via} {string.Join(",", b.Opnums)}"));

    [SharedDataFact("captures-extra")]
    public void PrintNightmareAddsAPrinterDriverOverSpoolss()
    {
        var flows = Read(InspectTestData.Extra("cl-printnightmare-packetcapture_2.pcap"));
        var spoolss = flows.Single(f => f.RpcCalls?.Bindings.Any(b => b.Uuid == Spoolss) == true);
        Assert.Equal(49677, spoolss.ServerPort);
        Assert.Equal("SPOOLSS bind 89", Summary(spoolss));
        Assert.Equal("RpcAddPrinterDriverEx", RpcOperations.Name(Spoolss, 89));
        // Its other flows: the mapper, DRSUAPI bind/crack names/unbind, NETLOGON domain info, LSARPC.
        Assert.Equal(4, flows.Count(f => f.ServerPort == 135 && Summary(f) == "EPM bind 3"));
        Assert.Equal(3, flows.Count(f => f.RpcCalls is not null && Summary(f) == "DRSUAPI bind 0,12,1"));
        Assert.Single(flows, f => f.RpcCalls is not null && Summary(f) == "NETLOGON bind 29");
        // Keeping the first interface per flow as before: the records' rpcInterface does not change.
        Assert.Equal("SPOOLSS", spoolss.DceRpc?.Name);
    }

    [SharedDataFact("captures-extra")]
    public void ZerologonAttemptsChallengeAndAuthenticateOverNetlogon()
    {
        var flows = Read(InspectTestData.Extra("cl-zerologon-CVE-2020-1472_test_win2019.pcap"));
        var netlogon = flows.Where(f => f.ServerPort == 49668).ToList();
        Assert.Equal(62, netlogon.Count);
        // The capture holds the attempts (ReqChallenge, Authenticate3), not the password reset (opnum 30).
        Assert.All(netlogon, f => Assert.Equal("NETLOGON bind 4,26", Summary(f)));
    }

    [SharedDataFact("captures-extra")]
    public void DcomExecActivatesThroughISystemActivatorOn135()
    {
        var flows = Read(InspectTestData.Extra("hc-dcomexec.pcapng"));
        var mapper = flows.Single(f => f.ServerPort == 135);
        var activator = Assert.Single(mapper.RpcCalls!.Bindings);
        Assert.Equal((SystemActivator, "bind"), (activator.Uuid, activator.Via));
        Assert.Equal([(ushort)4], activator.Opnums);
        Assert.Equal("RemoteCreateInstance", RpcOperations.Name(SystemActivator, 4));
        // Then IDispatch on the object's port, Invoke and friends.
        Assert.Equal("00020400-0000-0000-c000-000000000046 bind 5,6", Summary(flows.Single(f => f.ServerPort == 49238)));
    }

    [SharedDataFact("captures-extra")]
    public void WmiExecLogsInToWmiAndAltersContextToRemUnknownAndIWbemServices()
    {
        var flows = Read(InspectTestData.Extra("hc-wmiexec.pcapng"));
        Assert.Equal("ISystemActivator bind 4", Summary(flows.Single(f => f.ServerPort == 135)));
        Assert.Equal("IWbemLevel1Login bind 6; IRemUnknown alter_context 5; 9556dc99-828c-11cf-a37e-00aa003240c7 alter_context 6,24",
            Summary(flows.Single(f => f.ServerPort == 49154)));
        // The SMB2 session opens with an SMB1 multi-protocol negotiate, answered in SMB2: no SMB1 spoken, and no pipe RPC.
        var smb = flows.Single(f => f.ServerPort == 445);
        Assert.Equal((AppLabel.Smb, FlowWeakness.None), (smb.App, smb.Weakness));
        Assert.Null(smb.RpcCalls);
    }

    [SharedDataFact]
    public void Smb1SessionsAreMarked()
    {
        var smb = Read(InspectTestData.Capture("smbv1.pcap")).Single(f => f.App == AppLabel.Smb);
        Assert.Equal(FlowWeakness.Smb1, smb.Weakness);
    }

    [SharedDataFact]
    public void Smb2PipeRpcIsRecordedAgainstItsPipe()
    {
        var smb = Read(InspectTestData.Capture("zeek-smb-smb2.pcap")).Single(f => f.ServerPort == 445);
        var srvsvc = Assert.Single(smb.RpcCalls!.Bindings);
        Assert.Equal(("SRVSVC", "pipe srvsvc", (ushort?)3), (srvsvc.Name, srvsvc.Via, srvsvc.MajorVersion));
        // NetrShareGetInfo.
        Assert.Equal([(ushort)16], srvsvc.Opnums);
    }

    [SharedDataFact("captures-extra")]
    public void Smb3EncryptionMakesThePipesUninspectable()
    {
        var smb = Read(InspectTestData.Extra("zeek-smb-smb311.pcap")).Single(f => f.ServerPort == 445);
        Assert.Equal("smb3 encrypted", smb.RpcCalls?.Uninspectable);
        Assert.Empty(smb.RpcCalls!.Bindings);
    }

    [SharedDataFact]
    public void ConnectionlessCallsRecordTheirInterfaceAndOperations()
    {
        var udp = Read(InspectTestData.Capture("dcerpc.pcap")).Where(f => f.RpcCalls is not null && f.Transport == "udp").ToList();
        Assert.Contains(udp, f => Summary(f) == "PNIO-Device cl 0,3,4");
        Assert.Contains(udp, f => Summary(f) == "PNIO-Controller cl 4");
        // Their headers say version 1 (tshark: dcerpc.dg_if_ver 1).
        Assert.All(udp, f => Assert.All(f.RpcCalls!.Bindings, b => Assert.Equal((ushort?)1, b.MajorVersion)));
    }

    [SharedDataFact]
    public void AnSmb2FileSessionHasNeitherWeaknessNorPipes()
    {
        var smb = Read(InspectTestData.Capture("smb_deletefile.pcap")).Where(f => f.App == AppLabel.Smb).ToList();
        Assert.NotEmpty(smb);
        Assert.All(smb, f => Assert.Equal((FlowWeakness.None, (RpcCallLog?)null), (f.Weakness, f.RpcCalls)));
    }

    [SharedDataFact]
    public void AnLdapSaslBindIsNoCleartextBind()
    {
        // tshark: one bindRequest, name User1, SASL mechanism GSS-SPNEGO.
        var ldap = Read(InspectTestData.Capture("zeek-ldap-aduser1.pcap")).Where(f => f.App == AppLabel.Ldap).ToList();
        Assert.NotEmpty(ldap);
        Assert.All(ldap, f => Assert.Equal(FlowWeakness.None, f.Weakness & FlowWeakness.LdapCleartextBind));
    }
}
