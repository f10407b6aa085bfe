using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows.Facts;

namespace PortAudit.Flows;

/// <summary>
/// A flow as a flow-record source states it (a Zeek conn.log line, an IPFIX biflow, a firewall's built and teardown
/// pair): both ends, counters each way, how the opening went and what the exporter knew. Readers fill one in place
/// and hand it to the run, which turns it into a <see cref="Flow"/> with <see cref="Flow.FromRecord"/>.
/// </summary>
public struct FlowRecord
{
    /// <summary>IP protocol number.</summary>
    public byte Protocol { get; set; }

    /// <summary>The initiator.</summary>
    public IpAddr Client { get; set; }

    /// <summary>The initiator's port (0 without ports).</summary>
    public ushort ClientPort { get; set; }

    /// <summary>The responder.</summary>
    public IpAddr Server { get; set; }

    /// <summary>The responder's port (0 without ports).</summary>
    public ushort ServerPort { get; set; }

    /// <summary>ICMP type of the client's first message, for ICMP flows.</summary>
    public byte IcmpType { get; set; }

    /// <summary>ICMP code of the client's first message, for ICMP flows.</summary>
    public byte IcmpCode { get; set; }

    /// <summary>Start, nanoseconds since the epoch.</summary>
    public long StartNs { get; set; }

    /// <summary>End, nanoseconds since the epoch (at least <see cref="StartNs"/>).</summary>
    public long EndNs { get; set; }

    /// <summary>Packets from client to server.</summary>
    public long PacketsToServer { get; set; }

    /// <summary>IP-layer bytes from client to server.</summary>
    public long BytesToServer { get; set; }

    /// <summary>Packets from server to client.</summary>
    public long PacketsToClient { get; set; }

    /// <summary>IP-layer bytes from server to client.</summary>
    public long BytesToClient { get; set; }

    /// <summary>How the opening went, as the source states it.</summary>
    public FlowState State { get; set; }

    /// <summary>The exporter's application label, mapped to ours; null when it named none we know.</summary>
    public AppLabel? App { get; set; }

    /// <summary>
    /// What inspection saw, when the source kept it (our own flows.parquet's <c>app_detail</c>); null from an exporter's
    /// record, whose application is a name alone.
    /// </summary>
    public AppDetail? AppDetail { get; set; }

    /// <summary>What a verdict on the flow can rest on.</summary>
    public FlowEvidence Evidence { get; set; }

    /// <summary>The source's own id of the flow (Zeek uid, ASA connection id), kept so a finding leads back to it; or null.</summary>
    public string? RecordId { get; set; }

    /// <summary>
    /// The source's ids of the records of the tunnels the flow came in (Zeek's <c>tunnel_parents</c>), comma-separated;
    /// null outside any (<see cref="Flow.Tunnel"/>).
    /// </summary>
    public string? Tunnel { get; set; }

    /// <summary>
    /// The outer ends of <see cref="Tunnel"/> where the source kept them (our own flow files' <c>tunnel_outer</c>), so
    /// that an audit names the tunnel as the audit of the capture did; null from an exporter's record.
    /// </summary>
    public PortAudit.Decode.PacketEnds? TunnelOuter { get; set; }

    /// <summary>
    /// True when the reader took the sides from the ports, the record saying neither who opened nor who answered (a
    /// one-way IPFIX or nfdump record without a SYN): a store keeps it, so that an audit reading the flow back takes the
    /// sides again with its own ports (<see cref="Flow.Sides"/>), as the audit of the file took them.
    /// </summary>
    public bool SidesFromPorts { get; set; }

    /// <summary>With <see cref="SidesFromPorts"/>: the record's sender was taken for the server (the record was swapped).</summary>
    public bool FirstSentByServer { get; set; }

    /// <summary>Protocol weaknesses inspection saw in the flow: our own flow files' <c>weakness</c> (none from any exporter).</summary>
    public FlowWeakness Weakness { get; set; }

    /// <summary>
    /// Another flow announced this one (an endpoint-mapper answer, an SDP offer, an SSDP search) and its bytes did not
    /// refute it: our own flow files' <c>announced</c>. The audit judges an announced flow by the announcement's protocol
    /// wherever its port falls.
    /// </summary>
    public bool Announced { get; set; }

    /// <summary>The DCE/RPC interface inspection or an endpoint mapper named: our own flow files' <c>rpc_interface_uuid</c> and <c>rpc_source</c>.</summary>
    public DceRpcFacts? DceRpc { get; set; }

    /// <summary>
    /// Every DCE/RPC interface the flow bound and the operations called on each: our own flow files' <c>rpc_calls</c>,
    /// <c>rpc_more_bindings</c> and <c>rpc_uninspectable</c>, for the audit to judge an operation a rule's grant leaves out.
    /// </summary>
    public RpcCallLog? RpcCalls { get; set; }

    /// <summary>The ICMP errors that answered the flow: our own flow files' <c>icmp_errors</c> and <c>icmp_error</c>.</summary>
    public IcmpErrors IcmpErrors { get; set; }

    /// <summary>
    /// The input ended less than 1 s after the flow began (<see cref="Flow.CutOff"/>): our own flows.parquet's
    /// <c>cut_off</c>, or a record file's own end, the newest time its records hold.
    /// </summary>
    public bool CutOff { get; set; }

    /// <summary>
    /// Takes the sides of a record whose <see cref="SidesFromPorts"/> were a guess again with <paramref name="hint"/>
    /// (<see cref="ServerPortHints.SenderIsClient"/> of the first packet's sender), for a record that another run's ports
    /// placed (our own flows.parquet). Turned, its state is what <see cref="Flow.TakeSidesAgain"/> makes of a stored flow:
    /// a datagram flow's follows its counters (only the server sent: midstream); a TCP flow without a SYN seen keeps its
    /// state with packets both ways and is midstream with one way only (the server's direction alone); refused, blocked
    /// and a firewall log's states stay. Returns true when it turned.
    /// </summary>
    public bool TakeSidesAgain(IServerPortHint hint)
    {
        if (!SidesFromPorts || !hint.WouldTurn(Protocol, ClientPort, ServerPort, FirstSentByServer)) return false;
        Swap();
        FirstSentByServer = !FirstSentByServer;
        if (Evidence == FlowEvidence.FirewallLog || State is not (FlowState.Established or FlowState.Unanswered or FlowState.Midstream)) return true;
        State = Protocol == IpProtocol.Tcp ? (PacketsToServer > 0 && PacketsToClient > 0 ? State : FlowState.Midstream)
            : PacketsToClient == 0 ? FlowState.Unanswered
            : PacketsToServer == 0 ? FlowState.Midstream
            : FlowState.Established;
        return true;
    }

    /// <summary>Turns the client and server around, with their counters (a reader that learned the initiator late).</summary>
    public void Swap()
    {
        (Client, Server) = (Server, Client);
        (ClientPort, ServerPort) = (ServerPort, ClientPort);
        (PacketsToServer, PacketsToClient) = (PacketsToClient, PacketsToServer);
        (BytesToServer, BytesToClient) = (BytesToClient, BytesToServer);
    }
}
