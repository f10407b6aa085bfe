using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Inspect.DceRpc;
using PortAudit.Tests.Sources.Live;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// Flows made from real captures by leaving packets out (editcap): a DCE/RPC flow that opens with the server's bind_ack,
/// as the DRSUAPI flow of issue 20 did; mDNS announcements alone.
/// </summary>
[Trait(Tier.Name, Tier.Peer)]
public class CaptureSliceInspectionTests
{
    [NeedsProgramFact("editcap", shared: "captures-extra")]
    public void AFlowOpeningWithTheServersBindAckIsTurnedAroundAndNamedByTheEarlierMapping()
    {
        // Frames 8-10: the handshake to 49668; 27: the DRSUAPI bind. Frame 7, before, is the ept_map answer naming 49668.
        using var cut = CaptureSlice.Without(InspectTestData.Extra("cl-printnightmare-packetcapture_2.pcap"), "8-10", "27");
        var (flows, _) = InspectTestData.Inspect(cut.Path);
        var flow = flows.Single(f => f.ClientPort == 49347 || f.ServerPort == 49347);
        Assert.Equal(FlowState.Midstream, flow.State);
        Assert.Equal(("172.16.5.67", 49347, "172.16.5.58", 49668), (flow.Client.ToString(), (int)flow.ClientPort, flow.Server.ToString(), (int)flow.ServerPort));
        Assert.Equal((AppLabel.DceRpc, "bind_ack"), (flow.App, flow.AppDetail?.ToString()));
        Assert.Equal(("DRSUAPI", RpcEvidence.EndpointMapper), (flow.DceRpc?.Name, flow.DceRpc?.Evidence));
        // The counters turned with the ends: tshark counts 33 packets to the server and 32 back, less the 3 and 1 cut.
        Assert.Equal((30, 31), ((int)flow.PacketsToServer, (int)flow.PacketsToClient));
    }

    [NeedsProgramFact("editcap", shared: "captures-extra")]
    public void MdnsAnnouncementsWithoutQuestionsAreDns()
    {
        // Frames 3-4, 19-20, 23-24: responses with no question (4 and 6 answers), over IPv6 and IPv4.
        using var cut = CaptureSlice.Only(InspectTestData.Extra("zeek-dns-mdns.pcap"), "3-4", "19-20", "23-24");
        var (flows, _) = InspectTestData.Inspect(cut.Path);
        var mdns = flows.Where(f => f.ServerPort == 5353).ToList();
        Assert.Equal(2, mdns.Count);
        // Each names its first record: the host's own address (tshark: dns.resp.name, dns.resp.type AAAA).
        Assert.All(mdns, f => Assert.Equal((AppLabel.Dns, "response; name=johanna-QEMU-Virtual-Machine.local; type=AAAA"), (f.App, f.AppDetail?.ToString())));
    }
}
