using PortAudit.Decode;
using PortAudit.Flows;

namespace PortAudit.Audit;

/// <summary>
/// The packets an audit's inputs held (report.json <c>packets</c>): every record read, the bytes captured, and those in
/// no flow because they did not decode to an IP packet: frames of another protocol (ARP, spanning tree), frames cut
/// inside a header the decoder needs, headers that contradict themselves, frames of a link type the decoder does not
/// know. What the audit says rests on the others; none for flow records only. A live capture also counts the packets
/// libpcap dropped before they were read (<see cref="Dropped"/>).
/// </summary>
/// <param name="Read">Packet records read.</param>
/// <param name="Bytes">Bytes captured, as the records hold them.</param>
/// <param name="NotIp">Frames that carry no IP.</param>
/// <param name="Truncated">Frames that end inside a header the decoder needs (a short snap length).</param>
/// <param name="Malformed">Frames whose headers contradict themselves.</param>
/// <param name="UnsupportedLinkType">Records of a link type the decoder does not know.</param>
public sealed record PacketCounts(long Read, long Bytes, long NotIp, long Truncated, long Malformed, long UnsupportedLinkType)
{
    /// <summary>No packets: an audit of flow records, or of captures that held none.</summary>
    public static readonly PacketCounts None = new(0, 0, 0, 0, 0, 0);

    /// <summary>The counts of a run's read.</summary>
    public static PacketCounts Of(TrafficStatistics traffic) => new(traffic.Packets, traffic.CapturedBytes,
        traffic.Count(DecodeStatus.NotIp), traffic.Count(DecodeStatus.Truncated), traffic.Count(DecodeStatus.Malformed),
        traffic.Count(DecodeStatus.UnsupportedLinkType)) { Dropped = traffic.Dropped };

    /// <summary>Packets a live capture lost before they were read (libpcap's drop counters); not among <see cref="Read"/>.</summary>
    public long Dropped { get; init; }

    /// <summary>True when the inputs held packets at all.</summary>
    public bool Any => Read > 0 || Dropped > 0;

    /// <summary>
    /// Packets lost to the audit for a reason a reader should weigh: cut, malformed or of an unknown link type. Frames
    /// that carry no IP are a network's ordinary traffic and are not counted here.
    /// </summary>
    public long Undecoded => Truncated + Malformed + UnsupportedLinkType;
}
