using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using static PortAudit.Tests.Inspect.InspectorHarness;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// A Skinny flow joined with no SYN: nDPI's sccp_hw_conf_register.pcapng (a conference bridge 10.180.110.58:46461
/// registering with the call manager 10.180.110.48:2000), cut at tshark's frame 8 so that the call manager's RegisterAck
/// is the first packet. Both ports are 1024 or more: the ports take the first sender for the client; the message ids
/// (tshark's skinny.messageId: 0x81 and 0x9B from the call manager, 0x2C from the bridge) say otherwise.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class SccpSidesTests
{
    private static readonly IpAddr Bridge = IpAddr.FromV4(0x0AB46E3A), CallManager = IpAddr.FromV4(0x0AB46E30);
    private static readonly byte[] RegisterAck = Hex("18000000 00000000 81000000 1e000000 556e7573 65640000 3c000000 12008028");
    private static readonly byte[] CapabilitiesReq = Hex("04000000 00000000 9b000000");
    private static readonly byte[] MediaResourceNotification = Hex("14000000 12000000 2c000000 34000000 08000000 08000000 00000000");

    private static (IpAddr, ushort, IpAddr, ushort, FlowSides) Sides(Flow flow) => (flow.Client, flow.ClientPort, flow.Server, flow.ServerPort, flow.Sides);

    [Fact]
    public void TheCallManagersMessageSeenFirstMakesItTheServer()
    {
        // Was client 10.180.110.48:2000 (the call manager), server 10.180.110.58:46461, detail "register-ack".
        var flow = Midstream(Bridge, 46461, CallManager, 2000, (false, RegisterAck), (false, CapabilitiesReq), (true, MediaResourceNotification));
        Assert.Equal((Bridge, (ushort)46461, CallManager, (ushort)2000, FlowSides.Content), Sides(flow));
        // The bridge's first message was not seen: no detail names it.
        Assert.Equal((AppLabel.Sccp, null), (flow.App, flow.AppDetail?.ToString()));
    }

    [Fact]
    public void TheBridgesMessageSeenFirstKeepsTheSides()
    {
        var flow = Midstream(Bridge, 46461, CallManager, 2000, (true, MediaResourceNotification), (false, CapabilitiesReq));
        Assert.Equal((Bridge, (ushort)46461, CallManager, (ushort)2000, FlowSides.Content), Sides(flow));
        Assert.Equal(AppLabel.Sccp, flow.App);
    }
}
