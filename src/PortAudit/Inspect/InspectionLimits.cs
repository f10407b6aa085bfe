namespace PortAudit.Inspect;

/// <summary>Bounds on how much of each flow inspection looks at, so that its cost per flow is bounded.</summary>
public sealed record InspectionLimits
{
    /// <summary>Bytes kept per TCP direction for the inspectors.</summary>
    public int StreamBytes { get; init; } = 4096;

    /// <summary>Payload-carrying packets per direction after which inspection gives up.</summary>
    public int PacketsPerDirection { get; init; } = 10;

    /// <summary>Bytes a follower (the endpoint mapper) may hold per TCP direction.</summary>
    public int FollowerBytes { get; init; } = 65536;

    /// <summary>How long an endpoint-mapper answer keeps labelling new flows to the port it gave.</summary>
    public TimeSpan ExpectationLifetime { get; init; } = TimeSpan.FromMinutes(5);
}
