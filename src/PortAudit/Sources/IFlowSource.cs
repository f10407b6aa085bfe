using PortAudit.Common;
using PortAudit.Flows;


namespace PortAudit.Sources;

/// <summary>
/// Where a run's flows come from. Two kinds stand behind this one interface: packet sources (capture files, standard
/// input, live interfaces) hand the sink a packet reader, whose packets become flows through Decode → Flows → Inspect;
/// flow-record sources (IPFIX, Zeek conn.log, firewall logs, a flow store) hand it flows that arrive whole.
/// </summary>
public interface IFlowSource
{
    /// <summary>The input as reports name it: a file as given, "live capture on eth0", a collector's address.</summary>
    string Name { get; }

    /// <summary>
    /// Feeds everything the source holds into <paramref name="sink"/>, until it is exhausted or
    /// <paramref name="cancel"/> fires. An input that cannot be read is reported with <see cref="IFlowSink.Fail"/>, so
    /// that the run goes on with the next source; it never throws for bad input.
    /// </summary>
    void ReadInto(IFlowSink sink, CancellationToken cancel);
}

/// <summary>What a run offers its sources: the two ways in, and the place to report a damaged input.</summary>
public interface IFlowSink
{
    /// <summary>
    /// Reads <paramref name="reader"/> to its end or its damage, packets becoming flows, read and decoded on a second
    /// thread. <paramref name="live"/>: the reader waits for packets (<see cref="ICaptureReader.Waiting"/>), and one
    /// flow table takes them; packets from a file may be split over several. <paramref name="reopen"/>, when given, opens
    /// the same capture again (a file on disk), for a split run whose shards each read it on their own thread.
    /// </summary>
    void ReadPackets(ICaptureReader reader, bool live, Func<ICaptureReader>? reopen = null);

    /// <summary>
    /// A flow that arrived whole, from a flow-record source. <paramref name="create"/> receives the flow's id, unique
    /// within the run, and returns the flow; it is handed to the consumers as ended (records carry no payload to inspect).
    /// </summary>
    void AddFlow(Func<long, Flow> create);

    /// <summary>Where flow-record sources count the records they read and reject.</summary>
    RecordStatistics Records { get; }

    /// <summary>
    /// The service ports the run's flow table places servers by (the catalog's in an audit): a source that pairs
    /// one-way records chooses the client with the same hint, as the table does for packets.
    /// </summary>
    IServerPortHint ServerPorts { get; }

    /// <summary>An input that could not be opened or was damaged; what was read before stays counted.</summary>
    void Fail(InputException error);

    /// <summary>
    /// A live capture lost <paramref name="packets"/> packets before they could be read (libpcap's drop counters: the
    /// kernel's buffer was full), so its flows are incomplete. Called once the read has ended.
    /// </summary>
    void Dropped(long packets);
}
