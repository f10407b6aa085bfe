using PortAudit.Common;
using PortAudit.Decode;

namespace PortAudit.Flows;

/// <summary>
/// The tunnel a flow's first packet came in (GRE, IP-in-IP, 6in4, VXLAN, Geneve, GTP-U, L2TP), named by what identifies the
/// tunnel's own record in the same output: its Community ID for a flow read from packets, whichever end the record calls
/// its client; the source's own ids of the tunnel's records for a flow-record source (Zeek's <c>tunnel_parents</c>, our
/// <c>recordId</c> of those records). The outer ends are known for a flow read from packets only.
/// </summary>
public sealed class FlowTunnel
{
    private FlowTunnel(string id, PacketEnds? outer)
    {
        Id = id;
        Outer = outer;
    }

    /// <summary>The tunnel's own record: its <c>communityId</c>, or a flow-record source's ids of it, comma-separated.</summary>
    public string Id { get; }

    /// <summary>The outer packet of the flow's first packet, when it was read from packets.</summary>
    public PacketEnds? Outer { get; }

    /// <summary>The tunnel of a packet that came in <paramref name="carrier"/>.</summary>
    public static FlowTunnel Of(in TunnelCarrier carrier)
    {
        Span<byte> text = stackalloc byte[CommunityId.Length];
        var outer = carrier.Outer;
        int length = CommunityId.Format(outer.Protocol, outer.Source, outer.SourcePort, outer.Destination, outer.DestinationPort, text);
        return new FlowTunnel(System.Text.Encoding.ASCII.GetString(text[..length]), outer);
    }

    /// <summary>A tunnel known by its record's id alone: a stored flow's, or a flow-record source's.</summary>
    public static FlowTunnel FromId(string id) => new(id, null);

    /// <summary>"vxlan 192.168.22.4:49762 → 192.168.22.5:4789", or the id when the ends are not known.</summary>
    public override string ToString()
    {
        if (Outer is not { } outer) return Id;
        string name = TunnelCarriers.LabelOf(outer.Protocol, outer.SourcePort, outer.DestinationPort)?.Name ?? IpProtocol.Name(outer.Protocol);
        return outer.Protocol == IpProtocol.Udp
            ? $"{name} {outer.Source}:{outer.SourcePort} → {outer.Destination}:{outer.DestinationPort}"
            : $"{name} {outer.Source} → {outer.Destination}";
    }
}
