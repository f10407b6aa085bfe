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

    /// <summary>
    /// The WHERE clause of the query (empty without a condition): one sensor input (parameters <c>sensor</c> and
    /// <c>input</c>) or <paramref name="anySensor"/>, the engine's test of the <c>sensors</c> list, and the window
    /// (<c>since</c>, <c>until</c>) on <paramref name="start"/>, the column of the flow's start the engine compares.
    /// </summary>
    internal string Where(bool oneInput, string anySensor, char parameter = '@', string start = "start")
    {
        var conditions = new List<string>();
        if (oneInput) conditions.Add($"sensor = {parameter}sensor AND input = {parameter}input");
        else if (Sensors.Count > 0) conditions.Add(anySensor);
        if (Since is not null) conditions.Add($"{start} >= {parameter}since");
        if (Until is not null) conditions.Add($"{start} < {parameter}until");
        return conditions.Count == 0 ? "" : "WHERE " + string.Join(" AND ", conditions);
    }
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
    private readonly StoreLocation _store;
    private readonly StoreQuery _query;
    private readonly StoreInput _input;

    private StoreFlowSource(StoreLocation store, StoreQuery query, StoreInput input)
    {
        _store = store;
        _query = query;
        _input = input;
    }

    /// <inheritdoc />
    public string Name => _input.Name;

    /// <summary>The sensor that wrote the flows.</summary>
    public string Sensor => _input.Sensor;

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
            using var command = new NpgsqlCommand($"SELECT DISTINCT sensor, input FROM portaudit.flows {query.Where(oneInput: false, anySensor: "sensor = ANY(@sensors)")} ORDER BY sensor, input", connection);
            AddParameters(command, query, null, null);
            using var reader = command.ExecuteReader();
            return StoreInput.ReadAll(reader).Select(input => new StoreFlowSource(store, query, input)).ToList();
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
                       $"{_query.Where(oneInput: true, anySensor: "")} ORDER BY start, {FlowColumns.ReadOrder}", connection, transaction))
            {
                AddParameters(declare, _query, _input.Sensor, _input.Input);
                declare.ExecuteNonQuery();
            }
            using var fetch = new NpgsqlCommand($"FETCH FORWARD {_query.FetchRows} FROM portaudit_flows", connection, transaction);
            NpgsqlDataReader? current = null;
            var hint = sink.ServerPorts;
            long place = 0;
            Func<long, Flow> create = id => FlowRowRestore.Restore(current!, PostgresRowValues.Instance, id, _input.Number, hint, place);
            while (!cancel.IsCancellationRequested)
            {
                int rows = 0;
                using (current = fetch.ExecuteReader())
                {
                    while (current.Read())
                    {
                        place++;
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
}
