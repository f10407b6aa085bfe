using PortAudit.Flows;
using PortAudit.Inspect;
using PortAudit.Inspect.DceRpc;
using PortAudit.Tests.Live;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// DCE/RPC flows whose opening and bind were not captured, made from a real capture by leaving those packets out
/// (editcap): the flow opens with the server's bind_ack, as the DRSUAPI flow of issue 20 did.
/// </summary>
[Trait(Tier.Name, Tier.Peer)]
public class MidstreamDceRpcTests
{
    [NeedsProgramFact("editcap", shared: "captures-extra")]
    public void AFlowOpeningWithTheServersBindAckIsTurnedAroundAndNamedByTheEarlierMapping()
    {
        string cut = Path.GetTempFileName();
        try
        {
            // Frames 8-10: the handshake to 49668; 27: the DRSUAPI bind. Frame 7, before, is the ept_map answer naming 49668.
            External.Run("editcap", "-F", "pcap", InspectTestData.Extra("cl-printnightmare-packetcapture_2.pcap"), cut, "8-10", "27");
            var (flows, _) = InspectTestData.Inspect(cut);
            var flow = flows.Single(f => f.ClientPort == 49347 || f.ServerPort == 49347);
            Assert.Equal(FlowState.Midstream, flow.State);
            Assert.Equal(("172.16.5.67", 49347, "172.16.5.58", 49668), (flow.Client.ToString(), (int)flow.ClientPort, flow.Server.ToString(), (int)flow.ServerPort));
            Assert.Equal((AppLabel.DceRpc, "bind_ack"), (flow.App, flow.AppDetail?.ToString()));
            Assert.Equal(("DRSUAPI", RpcEvidence.EndpointMapper), (flow.DceRpc?.Name, flow.DceRpc?.Evidence));
            // The counters turned with the ends: tshark counts 33 packets to the server and 32 back, less the 3 and 1 cut.
            Assert.Equal((30, 31), ((int)flow.PacketsToServer, (int)flow.PacketsToClient));
        }
        finally
        {
            File.Delete(cut);
        }
    }
}
