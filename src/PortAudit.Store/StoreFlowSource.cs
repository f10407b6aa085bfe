using System.Net;
using Npgsql;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Inspect.DceRpc;
using PortAudit.Sources;

namespace PortAudit.Store;

/// <summary>Which flows of the store an audit reads.</summary>
public sealed record StoreQuery
{
    /// <summary>Sensors to read; every sensor when empty.</summary>
    public IReadOnlyList<string> Sensors { get; init; } = [];

    /// <summary>Flows that start at or after this time; no bound when null.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Flows that start before this time; no bound when null.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>Rows fetched per round trip from the server-side cursor: what the reader holds at most.</summary>
    public int FetchRows { get; init; } = 5_000;
}

/// <summary>
/// One input of the store, one sensor's capture or interface, read back as a flow-record source: the flows in the
/// query's window, in the order they started, streamed through a server-side cursor, so that an audit of a store of
/// any size holds one fetch at a time. Flows come back as the capture's audit judged them: counters, state, ICMP
/// errors, application label and detail, RPC interface, and their input and frame, so that findings point at the
/// sensor's capture.
/// </summary>
public sealed class StoreFlowSource : IFlowSource
{
    private static readonly Dictionary<string, FlowState> States = Enum.GetValues<FlowState>().ToDictionary(s => s.Name(), StringComparer.Ordinal);
    private readonly StoreLocation _store;
    private readonly StoreQuery _query;
    private readonly string _sensor;
    private readonly string _input;
    private readonly int _inputNumber;

    private StoreFlowSource(StoreLocation store, StoreQuery query, string sensor, string input, int inputNumber)
    {
        _store = store;
        _query = query;
        _sensor = sensor;
        _input = input;
        _inputNumber = inputNumber;
    }

    /// <inheritdoc />
    public string Name => $"{_sensor}:{_input}";

    /// <summary>The sensor that wrote the flows.</summary>
    public string Sensor => _sensor;

    /// <summary>
    /// The sources of every sensor input with flows in the query's window, ordered by sensor and input: a run's whole
    /// source list, in this order (each flow points back at its input by its place in the list).
    /// </summary>
    /// <exception cref="InputException">The store cannot be reached, or holds no schema of this build's version.</exception>
    public static IReadOnlyList<StoreFlowSource> Open(StoreLocation store, StoreQuery query)
    {
        try
        {
            using var connection = store.Connect(pooled: true);
            StoreSchema.Prepare(store, connection, create: false);
            using var command = new NpgsqlCommand($"SELECT DISTINCT sensor, input FROM portaudit.flows {Where(query)} ORDER BY sensor, input", connection);
            AddParameters(command, query, null, null);
            var sources = new List<StoreFlowSource>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
                sources.Add(new StoreFlowSource(store, query, reader.GetString(0), reader.GetString(1), sources.Count + 1));
            return sources;
        }
        catch (Exception ex) when (StoreUnavailableException.IsUnavailable(ex) && ex is not StoreUnavailableException)
        {
            throw new StoreUnavailableException(store, ex);
        }
    }

    /// <inheritdoc />
    public void ReadInto(IFlowSink sink, CancellationToken cancel)
    {
        try
        {
            using var connection = _store.Connect(pooled: true);
            using var transaction = connection.BeginTransaction();
            using (var declare = new NpgsqlCommand(
                       $"DECLARE portaudit_flows NO SCROLL CURSOR FOR SELECT {FlowColumns.List} FROM portaudit.flows " +
                       $"{Where(_query, oneInput: true)} ORDER BY start, start_ns", connection, transaction))
            {
                AddParameters(declare, _query, _sensor, _input);
                declare.ExecuteNonQuery();
            }
            using var fetch = new NpgsqlCommand($"FETCH FORWARD {_query.FetchRows} FROM portaudit_flows", connection, transaction);
            NpgsqlDataReader? current = null;
            var hint = sink.ServerPorts;
            Func<long, Flow> create = id => Restore(current!, id, hint);
            while (!cancel.IsCancellationRequested)
            {
                int rows = 0;
                using (current = fetch.ExecuteReader())
                {
                    while (current.Read())
                    {
                        sink.AddFlow(create);
                        rows++;
                    }
                }
                if (rows < _query.FetchRows) break;
            }
            transaction.Commit();
        }
        catch (Exception ex) when (StoreUnavailableException.IsUnavailable(ex))
        {
            sink.Fail(ex as StoreUnavailableException ?? new StoreUnavailableException(_store, ex));
        }
        catch (Exception ex) when (ex is InputException or PostgresException or InvalidCastException)
        {
            // The store answered but not as this build reads it (a refused query, a value of another type): the audit
            // goes on with what it read and its report says the store failed.
            sink.Fail(ex as StoreException ?? new StoreException($"store {_store.Display}, {Name}: {(ex as PostgresException)?.MessageText ?? ex.Message}", ex));
        }
    }

    private static string Where(StoreQuery query, bool oneInput = false)
    {
        var conditions = new List<string>();
        if (oneInput) conditions.Add("sensor = @sensor AND input = @input");
        else if (query.Sensors.Count > 0) conditions.Add("sensor = ANY(@sensors)");
        if (query.Since is not null) conditions.Add("start >= @since");
        if (query.Until is not null) conditions.Add("start < @until");
        return conditions.Count == 0 ? "" : "WHERE " + string.Join(" AND ", conditions);
    }

    private static void AddParameters(NpgsqlCommand command, StoreQuery query, string? sensor, string? input)
    {
        if (sensor is not null)
        {
            command.Parameters.AddWithValue("sensor", sensor);
            command.Parameters.AddWithValue("input", input!);
        }
        else if (query.Sensors.Count > 0)
        {
            command.Parameters.AddWithValue("sensors", query.Sensors.ToArray());
        }
        if (query.Since is { } since) command.Parameters.AddWithValue("since", since.UtcDateTime);
        if (query.Until is { } until) command.Parameters.AddWithValue("until", until.UtcDateTime);
    }

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
        RpcMoreBindings = FlowColumns.IndexOf("rpc_more_bindings"), RpcUninspectable = FlowColumns.IndexOf("rpc_uninspectable");

    // The flow as the capture's run ended it; sides that were a guess from ports are taken again with the run's hint
    // (the audit's catalog), as an audit of the capture takes them.
    private Flow Restore(NpgsqlDataReader row, long id, IServerPortHint hint)
    {
        var errors = row.GetInt64(IcmpErrorCount) is > 0 and var count
            ? new IcmpErrors(count, (byte)row.GetInt16(IcmpErrorProtocol), (byte)row.GetInt16(IcmpErrorType),
                (byte)row.GetInt16(IcmpErrorCode), IpAddr.From(row.GetFieldValue<IPAddress>(IcmpErrorSender)))
            : default;
        var flow = Flow.Restore(id, (byte)row.GetInt16(Protocol),
            IpAddr.From(row.GetFieldValue<IPAddress>(Client)), (ushort)row.GetInt32(ClientPort),
            IpAddr.From(row.GetFieldValue<IPAddress>(Server)), (ushort)row.GetInt32(ServerPort),
            row.GetInt64(StartNs), row.GetInt64(EndNs), StateOf(row.GetString(State)),
            new FlowCounters(row.GetInt64(PacketsToServer), row.GetInt64(BytesToServer), row.GetInt64(PacketsToClient), row.GetInt64(BytesToClient)),
            errors, FlowEvidenceNames.TryParse(row.GetString(Evidence), out var evidence) ? evidence : FlowEvidence.PortOnly,
            row.IsDBNull(RecordId) ? null : row.GetString(RecordId));
        flow.Input = _inputNumber;
        var sides = FlowSidesNames.Parse(row.IsDBNull(Sides) ? null : row.GetString(Sides));
        flow.SidesFromContent = sides == FlowSides.Content;
        flow.SidesFromPorts = sides == FlowSides.Ports;
        flow.FirstSentByServer = !row.IsDBNull(FirstFromServer) && row.GetBoolean(FirstFromServer);
        flow.TakeSidesAgain(hint);
        flow.Weakness = (FlowWeakness)row.GetInt16(Weakness);
        if (!row.IsDBNull(RpcCalls))
            flow.RpcCalls = RpcCallText.Parse(row.GetFieldValue<string[]>(RpcCalls), !row.IsDBNull(RpcMoreBindings) && row.GetBoolean(RpcMoreBindings),
                row.IsDBNull(RpcUninspectable) ? null : row.GetString(RpcUninspectable));
        flow.FirstFrame = row.GetInt64(FirstFrame);
        flow.IcmpType = (byte)row.GetInt16(IcmpType);
        flow.IcmpCode = (byte)row.GetInt16(IcmpCode);
        if (!row.IsDBNull(App)) flow.App = AppLabel.Of(row.GetString(App));
        if (!row.IsDBNull(DetailValues)) flow.AppDetail = DetailOf(row.GetFieldValue<string?[]>(DetailKeys), row.GetFieldValue<string[]>(DetailValues));
        if (!row.IsDBNull(RpcUuid))
            flow.DceRpc = new DceRpcFacts(Guid.Parse(row.GetString(RpcUuid)),
                row.IsDBNull(RpcMajor) ? null : (ushort)row.GetInt32(RpcMajor),
                row.IsDBNull(RpcMinor) ? null : (ushort)row.GetInt32(RpcMinor),
                row.GetString(RpcSource) == RpcEvidence.EndpointMapper.Name() ? RpcEvidence.EndpointMapper : RpcEvidence.Bind);
        return flow;
    }

    private static AppDetail DetailOf(string?[] keys, string[] values)
    {
        var parts = new DetailPart[values.Length];
        for (int i = 0; i < parts.Length; i++) parts[i] = new DetailPart(i < keys.Length ? keys[i] : null, values[i]);
        return AppDetail.Of(parts);
    }

    private static FlowState StateOf(string name) => States.GetValueOrDefault(name, FlowState.Midstream);
}
