using System.Runtime.CompilerServices;
using PortAudit.Decode;

namespace PortAudit.Flows;

/// <summary>
/// The tunnels' carriers a run has met so far, in its packet order, so that an ICMP error quoting a carrier's packet is
/// told apart wherever its packet is worked: in a split run the error goes to the shard of the tunnel's ends, which need
/// not be the one that counted the carrier's packets (those go by the addresses inside the tunnel). Whoever sees every
/// packet of the run in order (each replica of a file read by every shard, the decoder that deals them) keeps one, and
/// marks the errors (<see cref="DecodedPacket.QuotesCarrier"/>); a single table knows its carriers itself.
/// </summary>
/// <remarks>
/// It keeps the carriers a single table keeps, the first <c>limit</c> met (<see cref="FlowTableOptions.MaxFlows"/>, the
/// bound of <see cref="TunnelCarriers"/>), so that a split run folds the errors one table folds.
/// </remarks>
internal sealed class CarrierSightings(int limit)
{
    private readonly HashSet<FlowKey> _seen = new();

    /// <summary>Takes in <paramref name="packet"/>: a carrier's packet is remembered, an error quoting one is marked.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void See(ref DecodedPacket packet)
    {
        // Every packet a reader decodes comes here; few are either.
        if (packet.Carrier.Present || packet.Quote.Present) Note(ref packet);
    }

    private void Note(ref DecodedPacket packet)
    {
        if (packet.Carrier.Present && _seen.Count < limit) _seen.Add(TunnelCarriers.KeyOf(packet.Carrier.Outer));
        if (packet.Quote.Present && _seen.Count > 0) packet.QuotesCarrier = _seen.Contains(TunnelCarriers.KeyOf(packet.Quote));
    }
}
