using PortAudit.Common;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Inspect.DceRpc;

namespace PortAudit.Tests.Inspect;

[Trait(Tier.Name, Tier.Unit)]
public class EndpointMapperCaptureTests
{
    [SharedDataFact]
    public void ZerologonFlowsToTheDynamicPortAreNetlogonThroughTheEndpointMapper()
    {
        var (flows, engine) = InspectTestData.Inspect(InspectTestData.Capture("sv-dcerpc-zerologon.pcap"));
        var dynamic = flows.Where(f => f.ServerPort == 49668).ToList();
        Assert.Equal(21, dynamic.Count);
        Assert.All(dynamic, f =>
        {
            Assert.Equal(AppLabel.DceRpc, f.App);
            Assert.Equal("NETLOGON", f.DceRpc?.Name);
            Assert.Equal(new Guid("12345678-1234-abcd-ef00-01234567cffb"), f.DceRpc?.Uuid);
            Assert.Equal(RpcEvidence.EndpointMapper, f.DceRpc?.Evidence);
        });
        var mapper = flows.Where(f => f.ServerPort == 135).ToList();
        Assert.Equal(21, mapper.Count);
        Assert.All(mapper, f => Assert.Equal(("EPM", RpcEvidence.Bind), (f.DceRpc?.Name, f.DceRpc?.Evidence)));
        Assert.All(engine.Expectations.Mappings, m => Assert.Equal((49668, "NETLOGON"), ((int)m.Port, m.InterfaceName)));
        Assert.Equal(dynamic.Count, engine.Expectations.Mappings.Sum(m => m.Uses.Count));
    }

    [SharedDataFact("captures-extra")]
    public void Ndr64AnswersMapDrsuapiNetlogonLsarpcAndSpoolss()
    {
        // The client offers NDR and NDR64 for EPM; the server takes NDR64, so every answer's stub is NDR64.
        var (flows, engine) = InspectTestData.Inspect(InspectTestData.Extra("cl-printnightmare-packetcapture_2.pcap"));
        var mappings = engine.Expectations.Mappings;
        Assert.Equal(23, mappings.Count);
        Assert.Equal(["DRSUAPI", "LSARPC", "NETLOGON", "SPOOLSS"], mappings.Select(m => m.InterfaceName!).Distinct().Order());
        Assert.Equal([49665, 49668, 49677], mappings.Select(m => (int)m.Port).Distinct().Order());
        var spoolss = flows.Single(f => f.ServerPort == 49677);
        Assert.Equal(("SPOOLSS", RpcEvidence.EndpointMapper), (spoolss.DceRpc?.Name, spoolss.DceRpc?.Evidence));
        Assert.Equal(7, mappings.Sum(m => m.Uses.Count));
    }

    [SharedDataFact]
    public void ConnectionlessCallsNameTheirInterface()
    {
        var (flows, _) = InspectTestData.Inspect(InspectTestData.Capture("dcerpc.pcap"));
        var udp = flows.Where(f => f.Transport == "udp").ToList();
        Assert.Equal(4, udp.Count);
        Assert.All(udp, f => Assert.Equal(AppLabel.DceRpc, f.App));
        Assert.Contains(udp, f => f.DceRpc?.Name is { } name && name.StartsWith("PNIO", StringComparison.Ordinal));
    }

    [SharedDataFact]
    public void BindsInZeekTracesNameWellKnownInterfaces()
    {
        var (flows, _) = InspectTestData.Inspect(
            InspectTestData.Capture("zeek-dce-rpc-dce_rpc_netlogon.pcapng"),
            InspectTestData.Capture("zeek-dce-rpc-cs_window7-join_stream092.pcap"));
        var named = flows.Where(f => f.DceRpc?.Evidence == RpcEvidence.Bind).Select(f => f.DceRpc!.Name).ToHashSet();
        Assert.Contains("NETLOGON", named);
    }
}
