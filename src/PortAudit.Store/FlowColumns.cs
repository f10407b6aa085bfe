using System.Text;
using PortAudit.Report.Records;

namespace PortAudit.Store;

/// <summary>How a column is typed in the store and encoded in a binary COPY row.</summary>
internal enum ColumnKind
{
    /// <summary>text, UTF-8.</summary>
    Text,
    /// <summary>bigint.</summary>
    Int8,
    /// <summary>integer.</summary>
    Int4,
    /// <summary>smallint.</summary>
    Int2,
    /// <summary>timestamptz (microseconds: exact times are in the *_ns columns).</summary>
    Timestamp,
    /// <summary>inet.</summary>
    Inet,
    /// <summary>text[] whose elements may be null.</summary>
    TextArray,
    /// <summary>boolean.</summary>
    Bool,
}

/// <summary>One column of <c>portaudit.flows</c>, added by schema version <paramref name="Since"/>.</summary>
internal readonly record struct FlowColumn(string Name, ColumnKind Kind, int Since = 1)
{
    /// <summary>The SQL type as PostgreSQL's schema declares it.</summary>
    public string SqlType => Kind switch
    {
        ColumnKind.Text => "text",
        ColumnKind.Int8 => "bigint",
        ColumnKind.Int4 => "integer",
        ColumnKind.Int2 => "smallint",
        ColumnKind.Timestamp => "timestamptz",
        ColumnKind.Inet => "inet",
        ColumnKind.Bool => "boolean",
        _ => "text[]",
    };

    /// <summary>
    /// The type in DuckDB's schema: the same values; addresses as text, since DuckDB has inet only as an extension,
    /// which an embedded store would have to download.
    /// </summary>
    public string DuckDbType => Kind switch
    {
        ColumnKind.Text or ColumnKind.Inet => "VARCHAR",
        ColumnKind.Int8 => "BIGINT",
        ColumnKind.Int4 => "INTEGER",
        ColumnKind.Int2 => "SMALLINT",
        ColumnKind.Timestamp => "TIMESTAMPTZ",
        ColumnKind.Bool => "BOOLEAN",
        _ => "VARCHAR[]",
    };
}

/// <summary>
/// The columns of <c>portaudit.flows</c> in COPY order: who wrote the row (sensor, input), then one column per field
/// of a flow record (<see cref="FlowFields.Names"/>, in snake_case), then what a record leaves out but an audit from
/// the store needs to judge the flow as it was judged from the capture. Taken from <see cref="FlowFields"/>, so the
/// store and flows.jsonl cannot drift apart: a field added there is a column here, and a store whose table lacks it
/// is told to migrate (<see cref="StoreSchema"/>).
/// </summary>
internal static class FlowColumns
{
    /// <summary>Columns before the record's fields.</summary>
    public static readonly FlowColumn[] Writer = [new("sensor", ColumnKind.Text), new("input", ColumnKind.Text)];

    /// <summary>The record's fields, in <see cref="FlowFields.Names"/> order.</summary>
    public static readonly FlowColumn[] Record =
        FlowFields.Names.Select(name => new FlowColumn(SnakeCase(name), KindOf(name), SinceOf(name))).ToArray();

    /// <summary>Columns after the record's fields: exact times, numbers and inspection's facts in a form that reads back.</summary>
    public static readonly FlowColumn[] Restore =
    [
        new("protocol", ColumnKind.Int2), new("start_ns", ColumnKind.Int8), new("end_ns", ColumnKind.Int8),
        new("first_frame", ColumnKind.Int8),
        new("icmp_error_protocol", ColumnKind.Int2), new("icmp_error_type", ColumnKind.Int2),
        new("icmp_error_code", ColumnKind.Int2), new("icmp_error_sender", ColumnKind.Inet),
        new("rpc_major", ColumnKind.Int4), new("rpc_minor", ColumnKind.Int4),
        new("app_detail_keys", ColumnKind.TextArray), new("app_detail_values", ColumnKind.TextArray),
        // Version 2: what the sides rest on and who sent first, so that a reader takes a guess from ports again with
        // its own hint; the place of a flow without a frame (a flow record) among its input's flows, for its identity.
        new("sides", ColumnKind.Text, 2), new("first_from_server", ColumnKind.Bool, 2), new("record_ordinal", ColumnKind.Int8, 2),
        // Version 2 too: the protocol weaknesses inspection saw, and every DCE/RPC interface bound with its operations.
        new("weakness", ColumnKind.Int2, 2), new("rpc_calls", ColumnKind.TextArray, 2), new("rpc_more_bindings", ColumnKind.Bool, 2),
        new("rpc_uninspectable", ColumnKind.Text, 2),
        // Version 5: that another flow announced the flow (an SSDP search its answer, an SDP offer its media, a TFTP
        // request its transfer), which decides its verdict beside its label (FlowClassifier's announced rule).
        new("announced", ColumnKind.Bool, 5),
        // Version 7: the outer ends of the tunnel the flow came in, "udp 10.40.101.21 49840 198.51.100.10 4789"
        // (FlowTunnel.FormatOuter), which name the tunnel in a finding as the audit of the capture named it.
        new("tunnel_outer", ColumnKind.Text, 7),
    ];

    /// <summary>
    /// A flow's identity in the store (version 2): re-importing an input meets the same keys and adds nothing. A flow
    /// record has no frame, so its place among its input's flows keeps apart the events of one second on one 5-tuple.
    /// </summary>
    public static readonly string[] Identity =
        ["sensor", "input", "start", "start_ns", "record_ordinal", "protocol", "client", "client_port", "server", "server_port"];

    /// <summary>
    /// The identity since version 6: <see cref="Identity"/> and the flow's first frame in its input, which keeps apart two
    /// flows of one capture on one 5-tuple from the same instant (its traffic twice, its clock gone back between them).
    /// </summary>
    public static readonly string[] IdentityWithFrame =
        ["sensor", "input", "start", "start_ns", "record_ordinal", "first_frame", "protocol", "client", "client_port", "server", "server_port"];

    /// <summary>
    /// The order an audit reads an input's flows in: the order its run ended them in (by start, then the place of the
    /// opening in the input). A flow record's place breaks the ties of a log that writes whole seconds (a Windows firewall
    /// log: thousands of records of one second); a sort on the start alone gave them back in any order.
    /// </summary>
    public const string ReadOrder = "start_ns, record_ordinal, first_frame";

    /// <summary>Every column, in COPY order.</summary>
    public static readonly FlowColumn[] All = [.. Writer, .. Record, .. Restore];

    /// <summary>The column list of COPY and SELECT, quoted.</summary>
    public static readonly string List = string.Join(", ", All.Select(c => Quoted(c.Name)));

    /// <summary>Position of <paramref name="name"/> in <see cref="All"/>.</summary>
    public static int IndexOf(string name) => Array.FindIndex(All, c => c.Name == name) is >= 0 and var i
        ? i : throw new InvalidOperationException($"no store column {name}");

    /// <summary>"clientPort" → "client_port".</summary>
    public static string SnakeCase(string name)
    {
        var text = new StringBuilder(name.Length + 4);
        foreach (char c in name)
        {
            if (char.IsUpper(c)) text.Append('_').Append(char.ToLowerInvariant(c));
            else text.Append(c);
        }
        return text.ToString();
    }

    /// <summary>The name as an SQL identifier (<c>end</c> is a keyword).</summary>
    public static string Quoted(string name) => "\"" + name + "\"";

    // Fields the record gained after version 1, each with the version that added its column: version 3, the tunnel a flow
    // came in (its Community ID); version 4, whether the input ended less than 1 s after the flow began (Flow.CutOff).
    private static int SinceOf(string field) => field switch
    {
        "tunnel" => 3,
        "cutOff" => 4,
        _ => 1,
    };

    // Numbers are bigint and text is text, as the record writes them; times, addresses and ports get their SQL types so
    // that the store is queried as plain SQL (ranges of time, inet containment).
    private static ColumnKind KindOf(string field) => field switch
    {
        "start" or "end" => ColumnKind.Timestamp,
        "client" or "server" => ColumnKind.Inet,
        "clientPort" or "serverPort" => ColumnKind.Int4,
        // Columns of version 1, where they followed the record's fields: smallint, 0 for a flow without ICMP.
        "icmpType" or "icmpCode" => ColumnKind.Int2,
        "id" or "packetsToServer" or "bytesToServer" or "packetsToClient" or "bytesToClient" or "icmpErrors" => ColumnKind.Int8,
        "cutOff" => ColumnKind.Bool,
        _ => ColumnKind.Text,
    };
}
