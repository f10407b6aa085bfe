namespace PortAudit.Inspect;

/// <summary>Bounds on how much of each flow inspection looks at, so that its cost per flow is bounded.</summary>
public sealed record InspectionLimits
{
    /// <summary>Bytes kept per TCP direction for the inspectors.</summary>
    public int StreamBytes { get; init; } = 4096;

    /// <summary>
    /// Payload-carrying packets per direction after which inspection gives up: UDP datagrams; TCP segments that brought
    /// new bytes, once the direction holds <see cref="MinimumStreamBytes"/>.
    /// </summary>
    public int PacketsPerDirection { get; init; } = 10;

    /// <summary>
    /// Bytes a TCP direction must hold before its packet count ends its inspection: bytes sent a few per segment (an
    /// evasion: Metasploit's TCP::max_send_size) are read as far as the same bytes sent whole. Retransmissions count for nothing.
    /// </summary>
    public int MinimumStreamBytes { get; init; } = 1024;

    /// <summary>Bytes a follower (the endpoint mapper) may hold per TCP direction.</summary>
    public int FollowerBytes { get; init; } = 65536;

    /// <summary>How long an endpoint-mapper answer keeps labelling new flows to the port it gave.</summary>
    public TimeSpan ExpectationLifetime { get; init; } = TimeSpan.FromMinutes(5);
}
