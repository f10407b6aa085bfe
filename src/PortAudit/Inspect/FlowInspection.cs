using System.Buffers;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect;

/// <summary>
/// The inspection stage's memory of one flow, kept in <c>Flow.InspectionState</c> while inspectors still read it.
/// Reused for another flow once this one is done (see <see cref="FlowInspectionPool"/>).
/// </summary>
internal sealed class FlowInspection
{
    public FlowInspection(int scratchWords) => Scratch = new ulong[scratchWords];

    /// <summary>
    /// Inspectors not yet ruled out, one bit each, per direction: a midstream flow's client bytes may start inside a
    /// message while the server's answer is still readable, so ruling out one direction leaves the other open.
    /// </summary>
    public ulong AliveToServer, AliveToClient;

    public ref ulong Alive(bool fromClient) => ref fromClient ? ref AliveToServer : ref AliveToClient;

    /// <summary>Inspectors whose port hint fits this flow: asked first.</summary>
    public ulong Hinted;

    /// <summary>The scratch words of the inspectors that keep one (<see cref="InspectorDescriptor.UsesScratch"/>), by slot.</summary>
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

    /// <summary>
    /// True while an endpoint-mapper announcement labels the flow and only the DCE/RPC inspectors read it: bytes they
    /// rule out contradict the announcement.
    /// </summary>
    public bool Announced;

    /// <summary>Toggled each time the flow is turned (<see cref="SwapDirections"/>): a caller holding a direction sees it change.</summary>
    public bool Turned;

    /// <summary>Directions whose loss of bytes the follower was told of (bit 1 to the server, bit 2 to the client).</summary>
    public byte BrokenTold;

    /// <summary>
    /// Directions whose first bytes were read for a PROXY protocol header (<see cref="ProxyProtocolHeader"/>): bit 1 to
    /// the server, bit 2 to the client; both once a header was found.
    /// </summary>
    public byte ProxyHeaderRead;

    /// <summary>The source a PROXY protocol header claimed, for the appDetail of the flow the inspectors name; null when there was none.</summary>
    public DetailPart? ProxySource;

    /// <summary>What keeps reading the flow after the match (the endpoint mapper), or null.</summary>
    public IFlowFollower? Follower;

    /// <summary>Bytes one inspector gathers across datagrams (<see cref="InspectionInput.Assembly"/>): rented at its first use, or null.</summary>
    public byte[]? Assembly;

    /// <summary>The inspector that holds <see cref="Assembly"/> (an index below 64, as the masks have bits).</summary>
    public byte AssemblyOwner;

    /// <summary>Prepares the state for a new flow: nothing ruled out but what <paramref name="alive"/> excludes.</summary>
    public void Begin(ulong alive, ulong hinted)
    {
        AliveToServer = AliveToClient = alive;
        Hinted = hinted;
        Array.Clear(Scratch);
        Claimed = -1;
        ClientPackets = ServerPackets = ClientInspections = ServerInspections = 0;
        Done = false;
        Announced = false;
        Turned = false;
        BrokenTold = 0;
        ProxyHeaderRead = 0;
        ProxySource = null;
        Follower = null;
    }

    /// <summary>The stream of one direction, created at its first payload; it starts where that side's SYN said.</summary>
    public DirectionStream Stream(Flows.Flow flow, bool fromClient, int capacity)
    {
        ref var stream = ref fromClient ? ref ToServer : ref ToClient;
        if (stream is null)
        {
            stream = new DirectionStream(capacity);
            if (flow.TryGetSynSequence(fromClient, out uint sequence)) stream.Syn(sequence);
        }
        return stream;
    }

    /// <summary>Follows the flow turning around (<see cref="Flows.Flow.ReverseSides"/>): each direction's state changes places.</summary>
    public void SwapDirections()
    {
        (AliveToServer, AliveToClient) = (AliveToClient, AliveToServer);
        (ToServer, ToClient) = (ToClient, ToServer);
        (ClientPackets, ServerPackets) = (ServerPackets, ClientPackets);
        (ClientInspections, ServerInspections) = (ServerInspections, ClientInspections);
        Turned = !Turned;
        ProxyHeaderRead = (byte)(((ProxyHeaderRead & 1) << 1) | ((ProxyHeaderRead & 2) >> 1));
    }

    /// <summary>Returns the streams' buffers and the assembly buffer to the pool and forgets them.</summary>
    public void ReleaseStreams()
    {
        ToServer?.Release();
        ToClient?.Release();
        ToServer = ToClient = null;
        if (Assembly is not null) ArrayPool<byte>.Shared.Return(Assembly);
        Assembly = null;
    }

    /// <summary>
    /// The assembly buffer of inspector <paramref name="inspector"/>, <paramref name="length"/> bytes zeroed at its first
    /// use: empty when another inspector holds it or <paramref name="length"/> is past <see cref="InspectionInput.MaxAssembly"/>.
    /// </summary>
    public Span<byte> AssemblyFor(int inspector, int length)
    {
        if (length > InspectionInput.MaxAssembly) return default;
        if (Assembly is null)
        {
            Assembly = ArrayPool<byte>.Shared.Rent(InspectionInput.MaxAssembly);
            Array.Clear(Assembly, 0, InspectionInput.MaxAssembly);
            AssemblyOwner = (byte)inspector;
        }
        return AssemblyOwner == inspector ? Assembly.AsSpan(0, length) : default;
    }
}
