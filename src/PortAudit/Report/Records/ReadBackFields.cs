using System.Buffers;
using PortAudit.Flows;
using PortAudit.Flows.Facts;

namespace PortAudit.Report.Records;

/// <summary>
/// What our own flow files (flows.parquet, the TSV of <c>flows -f tsv</c>) carry after the flow's fields so that an
/// audit reading them back judges each flow as the audit of its capture did, as the store keeps it: what the flow's
/// sides rest on and whether its first packet came from the server (sides another run guessed from its ports are taken
/// again with the reading run's), the protocol weaknesses inspection saw (a weak-protocol finding: SMB1, an LDAP bind
/// in clear text, NTLMv1), whether another flow announced it (an endpoint-mapper answer explains a dynamic RPC
/// port, a search its SSDP answer), and every DCE/RPC interface the flow bound with the operations called on each
/// (<see cref="RpcCallText"/>: a grant that names operations judges them, DRSUAPI's DsGetNCChanges from a workstation is
/// DCSync), and the outer ends of the tunnel the flow came in (<see cref="FlowTunnel.FormatOuter"/>: a finding names the
/// tunnel by them, "vxlan 10.40.101.21:49840 → 198.51.100.10:4789", where its <c>tunnel</c> id alone is a Community ID).
/// flows.jsonl does not carry them: its fields are for people and its path the hot one.
/// </summary>
public static class ReadBackFields
{
    /// <summary>The fields, in file order, with flows.jsonl's casing (the Parquet writer makes them snake_case).</summary>
    public static readonly IReadOnlyList<string> Names = ["sides", "firstFromServer", "weakness", "announced", "rpcCalls", "rpcMoreBindings", "rpcUninspectable", "tunnelOuter"];

    /// <summary>
    /// The fields written as lines (<see cref="IFlowFieldSink.Lines"/>): a list of strings in flows.parquet, as the
    /// store's and the lake's <c>rpc_calls</c>, one text of lines in the TSV.
    /// </summary>
    public static readonly IReadOnlyList<string> Lists = ["rpcCalls"];

    /// <summary>Writes <paramref name="flow"/>'s values into <paramref name="sink"/> from field <paramref name="first"/> on.</summary>
    public static void Write(Flow flow, IFlowFieldSink sink, int first)
    {
        sink.Text(first, flow.Sides.Name());
        sink.Flag(first + 1, flow.FirstSentByServer);
        sink.Number(first + 2, (long)flow.Weakness);
        // An announcement the flow's own bytes refuted explains nothing (the store writes it as none too).
        sink.Flag(first + 3, flow.Announced && !flow.AnnouncementRefuted);
        WriteRpcCalls(flow.RpcCalls, sink, first + 4);
        WriteTunnelOuter(flow.Tunnel, sink, first + 7);
    }

    /// <summary>
    /// Writes the outer ends of <paramref name="tunnel"/> (<see cref="FlowTunnel.FormatOuter"/>) as field
    /// <paramref name="field"/>, null when the flow came in none or its ends are not known (a flow-record source's tunnel).
    /// </summary>
    public static void WriteTunnelOuter(FlowTunnel? tunnel, IFlowFieldSink sink, int field)
    {
        Span<char> text = stackalloc char[FlowTunnel.MaxOuterLength];
        if (tunnel?.FormatOuter(text) is > 0 and var length) sink.Text(field, text[..length]);
        else sink.Null(field);
    }

    // As the store keeps them: none of the three when inspection read no RPC, else the bindings (an element a line: a
    // list where the format has lists), whether more were offered than kept, and why the RPC could not be read.
    private static void WriteRpcCalls(RpcCallLog? calls, IFlowFieldSink sink, int first)
    {
        if (calls is null)
        {
            sink.Null(first);
            sink.Null(first + 1);
            sink.Null(first + 2);
            return;
        }
        // Only flows that carried DCE/RPC have a log: a buffer rented for them costs the other flows nothing.
        char[] text = ArrayPool<char>.Shared.Rent(RpcCallText.MaxLength(calls));
        sink.Lines(first, text.AsSpan(0, RpcCallText.Format(calls, text)), RpcCallText.Separator);
        ArrayPool<char>.Shared.Return(text);
        sink.Flag(first + 1, calls.MoreBindings);
        if (calls.Uninspectable is { } why) sink.Text(first + 2, why);
        else sink.Null(first + 2);
    }
}
