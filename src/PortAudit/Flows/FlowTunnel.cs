using PortAudit.Common;
using PortAudit.Decode;

namespace PortAudit.Flows;

/// <summary>
/// The tunnel a flow's first packet came in (GRE, IP-in-IP, 6in4, VXLAN, Geneve), named by its own flow's Community ID:
/// the <c>communityId</c> of the tunnel's record in the same output, whichever end the record calls its client. The
/// outer ends are known for a flow read from packets; a flow read back from a store has the ID alone.
/// </summary>
public sealed class FlowTunnel
{
    private FlowTunnel(string communityId, TunnelCarrier? outer)
    {
        CommunityId = communityId;
        Outer = outer;
    }

    /// <summary>The tunnel's Community ID, as its own flow's record gives it.</summary>
    public string CommunityId { get; }

    /// <summary>The outer packet of the flow's first packet, when it was read from packets.</summary>
    public TunnelCarrier? Outer { get; }

    /// <summary>The tunnel of a packet that came in <paramref name="carrier"/>.</summary>
    public static FlowTunnel Of(in TunnelCarrier carrier)
    {
        Span<byte> text = stackalloc byte[Flows.CommunityId.Length];
        int length = Flows.CommunityId.Format(carrier.Protocol, carrier.Source, carrier.SourcePort, carrier.Destination,
            carrier.DestinationPort, text);
        return new FlowTunnel(System.Text.Encoding.ASCII.GetString(text[..length]), carrier);
    }

    /// <summary>A tunnel known by its Community ID alone (a stored flow's).</summary>
    public static FlowTunnel FromCommunityId(string communityId) => new(communityId, null);

    /// <summary>"vxlan 192.168.22.4:49762 → 192.168.22.5:4789", or the Community ID when the ends are not known.</summary>
    public override string ToString()
    {
        if (Outer is not { } outer) return CommunityId;
        string name = TunnelCarriers.LabelOf(outer.Protocol, outer.SourcePort, outer.DestinationPort)?.Name ?? IpProtocol.Name(outer.Protocol);
        return outer.Protocol == IpProtocol.Udp
            ? $"{name} {outer.Source}:{outer.SourcePort} → {outer.Destination}:{outer.DestinationPort}"
            : $"{name} {outer.Source} → {outer.Destination}";
    }
}
