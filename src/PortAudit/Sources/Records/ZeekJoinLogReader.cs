using System.Text;
using System.Text.Json;
using PortAudit.Flows;

namespace PortAudit.Sources.Records;

/// <summary>
/// Reads what a Zeek ssl.log (<c>server_name</c>, the ALPN protocol its server selected, <c>next_protocol</c>, and the
/// version and cipher suite it chose, <c>version</c> and <c>cipher</c>),
/// http.log (<c>host</c>) or dce_rpc.log (<c>endpoint</c>, <c>operation</c>) says of connections, TSV or JSON lines, into
/// <see cref="ZeekLogJoin"/> by each record's uid; it yields no flow. A log that turns out to hold connections or
/// another log's records ends the reading (<see cref="Finished"/>): its lines are its own source's. A JSON line without
/// <c>_path</c> is told by its keys (<see cref="ZeekLogKinds.OfRecord"/>).
/// </summary>
internal sealed class ZeekJoinLogReader : LineRecordReader
{
    private readonly ZeekLogJoin _join;
    private readonly ZeekTsvHeader _header = new();
    // The columns of the uid and of the values a log gives (Fields), -1 for one the log has not, and a line's values.
    private int _uid = -1;
    private readonly int[] _columns = [-1, -1, -1, -1];
    private readonly string?[] _values = new string?[4];

    public ZeekJoinLogReader(TextReader text, string name, RecordStatistics statistics, ZeekLogJoin join)
        : base(text, name, statistics) => _join = join;

    /// <summary>True once a record of a log that joins nothing (conn.log's, dns.log's...) was met: the rest is not read.</summary>
    public bool Finished { get; private set; }

    protected override LineOutcome Parse(string line, ref FlowRecord record)
    {
        if (line.Length == 0) return LineOutcome.Ignored;
        if (line[0] == '#') return Header(line);
        if (line[0] == '{') return JsonLine(line);
        var kind = ZeekLogKinds.Of(_header.Path);
        if (kind is not (ZeekLogKind.Tls or ZeekLogKind.Http or ZeekLogKind.DceRpc) || _header.Fields is not { } fields) return Finish();
        if (_uid < 0 || _columns[0] < 0) return Reject($"#fields of the {_header.Path} log name no uid or no {Fields(kind)[0]}");
        var rest = line.AsSpan();
        string? uid = null;
        Array.Clear(_values);
        int column = 0;
        foreach (var range in rest.Split(_header.Separator))
        {
            var value = rest[range];
            if (!_header.IsNone(value))
            {
                if (column == _uid) uid = value.ToString();
                else if (Array.IndexOf(_columns, column) is var at and >= 0) _values[at] = Text(value);
            }
            column++;
        }
        if (column != fields.Length) return Reject($"{column} columns where #fields names {fields.Length}");
        return Joined(uid, kind, _values[0], _values[1], _values[2], _values[3]);
    }

    private LineOutcome Header(string line)
    {
        if (_header.Take(line, out bool fieldsChanged) is { } problem) return Reject(problem);
        if (fieldsChanged)
        {
            var fields = _header.Fields!;
            var names = Fields(ZeekLogKinds.Of(_header.Path));
            _uid = Array.IndexOf(fields, "uid");
            for (int i = 0; i < _columns.Length; i++) _columns[i] = i < names.Length ? Array.IndexOf(fields, names[i]) : -1;
        }
        return LineOutcome.Ignored;
    }

    private LineOutcome JsonLine(string line)
    {
        string? path = null, uid = null, serverName = null, host = null, alpn = null, version = null, cipher = null, endpoint = null,
            operation = null;
        bool proto = false;
        var keyed = ZeekLogKind.Connections;
        try
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(line));
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string key = reader.GetString()!;
                reader.Read();
                if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }
                string? value = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                if (ZeekLogKinds.OfKey(key) is var kind && kind != ZeekLogKind.Connections) keyed = kind;
                switch (key)
                {
                    case "_path": path = value; break;
                    case "uid": uid = value; break;
                    case "server_name": serverName = value; break;
                    case "host": host = value; break;
                    case "next_protocol": alpn = value; break;
                    case "version": version = value; break;
                    case "cipher": cipher = value; break;
                    case "endpoint": endpoint = value; break;
                    case "operation": operation = value; break;
                    case "proto": proto = true; break;
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return Reject($"malformed JSON: {ex.Message}");
        }
        return ZeekLogKinds.OfRecord(path, proto, keyed) switch
        {
            ZeekLogKind.Tls => Joined(uid, ZeekLogKind.Tls, serverName, alpn, version, cipher),
            ZeekLogKind.Http => Joined(uid, ZeekLogKind.Http, host),
            ZeekLogKind.DceRpc => Joined(uid, ZeekLogKind.DceRpc, endpoint, operation),
            _ => Finish(),
        };
    }

    // A record without a name, a selected protocol, a version or a cipher (a TLS client that sent no SNI to a server that
    // never answered, an HTTP/1.0 request without Host) says nothing; nor does a call on an interface no name of the run's
    // tables or Zeek's unknown-UUID gives (it is judged as a capture's unnamed interface is: not at all). The values are
    // Fields' columns, in its order.
    private LineOutcome Joined(string? uid, ZeekLogKind kind, string? first, string? second = null, string? third = null, string? fourth = null)
    {
        if (uid is null) return Reject($"a record of {Log(kind)} without a uid: it joins no connection");
        if (kind == ZeekLogKind.DceRpc)
        {
            if (!string.IsNullOrEmpty(first)) _join.AddCall(uid, first, second);
        }
        else if (!string.IsNullOrEmpty(first) || !string.IsNullOrEmpty(second) || !string.IsNullOrEmpty(third) || !string.IsNullOrEmpty(fourth))
            _join.Add(uid, kind, first, second, ZeekMapping.TlsVersion(third), fourth);
        return LineOutcome.Ignored;
    }

    // A TSV value with Zeek's \xHH escapes undone.
    private static string Text(ReadOnlySpan<char> value) =>
        value.Contains("\\x", StringComparison.Ordinal) ? ZeekTsvHeader.Unescape(value) : value.ToString();

    private LineOutcome Finish()
    {
        Finished = true;
        // Handed out as a flow so that the reading loop stops here; the record is empty and never used.
        return LineOutcome.Flow;
    }

    // The columns of the values a log of kind gives, the first required.
    private static string[] Fields(ZeekLogKind kind) => kind switch
    {
        ZeekLogKind.Tls => TlsFields,
        ZeekLogKind.DceRpc => DceRpcFields,
        _ => HttpFields,
    };

    private static readonly string[] TlsFields = ["server_name", "next_protocol", "version", "cipher"], DceRpcFields = ["endpoint", "operation"],
        HttpFields = ["host"];

    private static string Log(ZeekLogKind kind) => kind switch
    {
        ZeekLogKind.Tls => "ssl.log",
        ZeekLogKind.DceRpc => "dce_rpc.log",
        _ => "http.log",
    };
}
