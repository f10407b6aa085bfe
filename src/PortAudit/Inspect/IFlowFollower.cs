using PortAudit.Flows;

namespace PortAudit.Inspect;

/// <summary>
/// Keeps reading a flow after it was recognised, for protocols whose later messages matter to the audit
/// (the endpoint mapper's answers). Bounded by its own limits.
/// </summary>
public interface IFlowFollower
{
    /// <summary>New in-order bytes arrived on a TCP direction; consume what was used from <paramref name="stream"/>.</summary>
    void OnStream(Flow flow, bool fromClient, DirectionStream stream);

    /// <summary>A datagram of a UDP flow.</summary>
    void OnDatagram(Flow flow, bool fromClient, ReadOnlySpan<byte> datagram);

    /// <summary>True when the follower has seen enough and the flow's bytes can be released.</summary>
    bool Finished { get; }

    /// <summary>
    /// A TCP direction can no longer be trusted (<paramref name="why"/>): it lost bytes for good
    /// (<see cref="DirectionStream.Broken"/>: nothing after the hole will be shown), or a retransmission carried other
    /// bytes than those read (<see cref="DirectionStream.Inconsistent"/>). Called once per direction.
    /// </summary>
    void OnBroken(Flow flow, bool fromClient, string why)
    {
    }
}
