namespace PortAudit.Inspect;

/// <summary>The inspection stage's memory of one flow, kept in <c>Flow.InspectionState</c> until the flow ends.</summary>
internal sealed class FlowInspection
{
    public FlowInspection(int inspectors, ulong alive, ulong hinted)
    {
        Scratch = new ulong[inspectors];
        AliveToServer = AliveToClient = alive;
        Hinted = hinted;
    }

    /// <summary>
    /// Inspectors not yet ruled out, one bit each, per direction: a midstream flow's client bytes may start inside a
    /// message while the server's answer is still readable, so ruling out one direction leaves the other open.
    /// </summary>
    public ulong AliveToServer, AliveToClient;

    public ref ulong Alive(bool fromClient) => ref fromClient ? ref AliveToServer : ref AliveToClient;

    /// <summary>Inspectors whose port hint fits this flow: asked first.</summary>
    public readonly ulong Hinted;

    /// <summary>Per-inspector scratch words.</summary>
    public readonly ulong[] Scratch;

    /// <summary>The inspector that answered Partial, or -1.</summary>
    public int Claimed = -1;

    /// <summary>Client-to-server stream (TCP only).</summary>
    public DirectionStream? ToServer;

    /// <summary>Server-to-client stream (TCP only).</summary>
    public DirectionStream? ToClient;

    /// <summary>Payload-carrying packets seen each way.</summary>
    public int ClientPackets, ServerPackets;

    /// <summary>Inspections run each way.</summary>
    public int ClientInspections, ServerInspections;

    /// <summary>True once the inspectors are done with this flow.</summary>
    public bool Done;

    /// <summary>What keeps reading the flow after the match (the endpoint mapper), or null.</summary>
    public IFlowFollower? Follower;

    public DirectionStream Stream(bool fromClient, int capacity) => fromClient
        ? ToServer ??= new DirectionStream(capacity)
        : ToClient ??= new DirectionStream(capacity);

    public void ReleaseStreams()
    {
        ToServer?.Release();
        ToClient?.Release();
    }
}
