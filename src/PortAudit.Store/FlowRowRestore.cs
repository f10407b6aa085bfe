using System.Data.Common;
using System.Net;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Inspect.DceRpc;

namespace PortAudit.Store;

/// <summary>
/// The two kinds of value the engines hand out in types of their own: an address (PostgreSQL's inet as an
/// <see cref="IPAddress"/>, DuckDB's text) and a text array (a <c>string[]</c>, DuckDB's <c>List&lt;string&gt;</c>).
/// Everything else a row holds reads the same through <see cref="DbDataReader"/>.
/// </summary>
internal abstract class StoreRowValues
{
    /// <summary>The address in <paramref name="column"/>.</summary>
    public abstract IpAddr Address(DbDataReader row, int column);

    /// <summary>The text array in <paramref name="column"/>, whose elements may be null.</summary>
    public abstract string?[] Texts(DbDataReader row, int column);
}

/// <summary>PostgreSQL's values: inet as <see cref="IPAddress"/>, text[] as string[] (Npgsql).</summary>
internal sealed class PostgresRowValues : StoreRowValues
{
    /// <summary>The one instance.</summary>
    public static readonly PostgresRowValues Instance = new();

    /// <inheritdoc />
    public override IpAddr Address(DbDataReader row, int column) => IpAddr.From(row.GetFieldValue<IPAddress>(column));

    /// <inheritdoc />
    public override string?[] Texts(DbDataReader row, int column) => row.GetFieldValue<string?[]>(column);
}

/// <summary>
/// A stored row made a flow again, for every engine: the flow as the capture's run ended it, so that an audit from the
/// store gives the file's answer.
/// </summary>
internal static class FlowRowRestore
{
    private static readonly Dictionary<string, FlowState> States = Enum.GetValues<FlowState>().ToDictionary(s => s.Name(), StringComparer.Ordinal);

    private static readonly int Protocol = FlowColumns.IndexOf("protocol"), Client = FlowColumns.IndexOf("client"),
        ClientPort = FlowColumns.IndexOf("client_port"), Server = FlowColumns.IndexOf("server"),
        ServerPort = FlowColumns.IndexOf("server_port"), StartNs = FlowColumns.IndexOf("start_ns"), EndNs = FlowColumns.IndexOf("end_ns"),
        State = FlowColumns.IndexOf("state"), PacketsToServer = FlowColumns.IndexOf("packets_to_server"),
        BytesToServer = FlowColumns.IndexOf("bytes_to_server"), PacketsToClient = FlowColumns.IndexOf("packets_to_client"),
        BytesToClient = FlowColumns.IndexOf("bytes_to_client"), IcmpErrorCount = FlowColumns.IndexOf("icmp_errors"),
        IcmpErrorProtocol = FlowColumns.IndexOf("icmp_error_protocol"), IcmpErrorType = FlowColumns.IndexOf("icmp_error_type"),
        IcmpErrorCode = FlowColumns.IndexOf("icmp_error_code"), IcmpErrorSender = FlowColumns.IndexOf("icmp_error_sender"),
        FirstFrame = FlowColumns.IndexOf("first_frame"), IcmpType = FlowColumns.IndexOf("icmp_type"), IcmpCode = FlowColumns.IndexOf("icmp_code"),
        App = FlowColumns.IndexOf("app"), RpcUuid = FlowColumns.IndexOf("rpc_interface_uuid"), RpcSource = FlowColumns.IndexOf("rpc_source"),
        RpcMajor = FlowColumns.IndexOf("rpc_major"), RpcMinor = FlowColumns.IndexOf("rpc_minor"),
        Evidence = FlowColumns.IndexOf("evidence"), RecordId = FlowColumns.IndexOf("record_id"),
        DetailKeys = FlowColumns.IndexOf("app_detail_keys"), DetailValues = FlowColumns.IndexOf("app_detail_values"),
        Sides = FlowColumns.IndexOf("sides"), FirstFromServer = FlowColumns.IndexOf("first_from_server"),
        Weakness = FlowColumns.IndexOf("weakness"), RpcCalls = FlowColumns.IndexOf("rpc_calls"),
        RpcMoreBindings = FlowColumns.IndexOf("rpc_more_bindings"), RpcUninspectable = FlowColumns.IndexOf("rpc_uninspectable"),
        Tunnel = FlowColumns.IndexOf("tunnel"), CutOff = FlowColumns.IndexOf("cut_off"),
        Announced = FlowColumns.IndexOf("announced"), TunnelOuter = FlowColumns.IndexOf("tunnel_outer");

    /// <summary>
    /// The flow of <paramref name="row"/> (columns in <see cref="FlowColumns.All"/> order), the <paramref name="id"/>th of the
    /// reading run, from its <paramref name="input"/>th input, the <paramref name="place"/>th row read of that input
    /// (1-based, in <see cref="FlowColumns.ReadOrder"/>).
    /// </summary>
    /// <exception cref="InputException">A value no writer of the store makes, named with its column and the row.</exception>
    // The flow as the capture's run ended it; sides that were a guess from ports are taken again with the run's hint
    // (the audit's catalog), as an audit of the capture takes them.
    public static Flow Restore(DbDataReader row, StoreRowValues values, long id, int input, IServerPortHint hint, long place)
    {
        var errors = row.GetInt64(IcmpErrorCount) is > 0 and var count
            ? new IcmpErrors(count, (byte)row.GetInt16(IcmpErrorProtocol), (byte)row.GetInt16(IcmpErrorType),
                (byte)row.GetInt16(IcmpErrorCode), values.Address(row, IcmpErrorSender))
            : default;
        var flow = Flow.Restore(id, (byte)row.GetInt16(Protocol),
            values.Address(row, Client), (ushort)row.GetInt32(ClientPort),
            values.Address(row, Server), (ushort)row.GetInt32(ServerPort),
            row.GetInt64(StartNs), row.GetInt64(EndNs), StateOf(row.GetString(State)),
            new FlowCounters(row.GetInt64(PacketsToServer), row.GetInt64(BytesToServer), row.GetInt64(PacketsToClient), row.GetInt64(BytesToClient)),
            errors, FlowEvidenceNames.TryParse(row.GetString(Evidence), out var evidence) ? evidence : FlowEvidence.PortOnly,
            row.IsDBNull(RecordId) ? null : row.GetString(RecordId));
        flow.Input = input;
        var sides = FlowSidesNames.Parse(row.IsDBNull(Sides) ? null : row.GetString(Sides));
        flow.SidesFromContent = sides == FlowSides.Content;
        flow.SidesFromPorts = sides == FlowSides.Ports;
        flow.FirstSentByServer = !row.IsDBNull(FirstFromServer) && row.GetBoolean(FirstFromServer);
        flow.TakeSidesAgain(hint);
        flow.Weakness = (FlowWeakness)row.GetInt16(Weakness);
        // A flow that came in a tunnel stays one: a network firewall judges the tunnel's own flow, not it.
        // Its outer ends name it as the capture's audit did (null in rows of versions before 7: named by its Community ID).
        if (!row.IsDBNull(Tunnel)) flow.Tunnel = FlowTunnel.FromId(row.GetString(Tunnel), row.IsDBNull(TunnelOuter) ? null : OuterOf(row, place));
        // Where the capture's input ended only its run knew: the row says whether it ended within 1 s of the flow's start
        // (null in rows of versions before 4, and in a lake's files written before, read as false).
        flow.CutOff = !row.IsDBNull(CutOff) && row.GetBoolean(CutOff);
        // That another flow announced it only the capture's run saw (null in rows of versions before 5: not announced).
        flow.Announced = !row.IsDBNull(Announced) && row.GetBoolean(Announced);
        if (!row.IsDBNull(RpcCalls))
            flow.RpcCalls = RpcCallText.Parse(values.Texts(row, RpcCalls)!, !row.IsDBNull(RpcMoreBindings) && row.GetBoolean(RpcMoreBindings),
                row.IsDBNull(RpcUninspectable) ? null : row.GetString(RpcUninspectable));
        flow.FirstFrame = row.GetInt64(FirstFrame);
        flow.IcmpType = (byte)row.GetInt16(IcmpType);
        flow.IcmpCode = (byte)row.GetInt16(IcmpCode);
        if (!row.IsDBNull(App)) flow.App = AppLabel.Of(row.GetString(App));
        if (!row.IsDBNull(DetailValues)) flow.AppDetail = DetailOf(values.Texts(row, DetailKeys), values.Texts(row, DetailValues));
        if (!row.IsDBNull(RpcUuid))
            flow.DceRpc = new DceRpcFacts(Guid.Parse(row.GetString(RpcUuid)),
                row.IsDBNull(RpcMajor) ? null : (ushort)row.GetInt32(RpcMajor),
                row.IsDBNull(RpcMinor) ? null : (ushort)row.GetInt32(RpcMinor),
                row.GetString(RpcSource) == RpcEvidence.EndpointMapper.Name() ? RpcEvidence.EndpointMapper : RpcEvidence.Bind);
        return flow;
    }

    // A value no writer of the store makes (a row changed by hand, or by another tool) fails the read, naming the row by
    // its place and its exact start, which finds it in SQL, as our TSV and Parquet readers name a line or a row.
    private static PacketEnds OuterOf(DbDataReader row, long place)
    {
        string text = row.GetString(TunnelOuter);
        return FlowTunnel.TryParseOuter(text, out var outer) ? outer
            : throw new InputException($"row {place} (start_ns {row.GetInt64(StartNs)}): tunnel_outer '{Sources.Records.RecordFields.Clip(text)}' " +
                "is not a tunnel's outer ends (udp 192.0.2.1 49840 192.0.2.2 4789)");
    }

    private static AppDetail DetailOf(string?[] keys, string?[] values)
    {
        var parts = new DetailPart[values.Length];
        for (int i = 0; i < parts.Length; i++) parts[i] = new DetailPart(i < keys.Length ? keys[i] : null, values[i]!);
        return AppDetail.Of(parts);
    }

    private static FlowState StateOf(string name) => States.GetValueOrDefault(name, FlowState.Midstream);
}
