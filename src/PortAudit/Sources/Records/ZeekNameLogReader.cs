using System.Text;
using System.Text.Json;
using PortAudit.Flows;

namespace PortAudit.Sources.Records;

/// <summary>
/// Reads the names of a Zeek ssl.log (<c>server_name</c>, and the ALPN protocol its server selected, <c>next_protocol</c>)
/// or http.log (<c>host</c>), TSV or JSON lines, into
/// <see cref="ZeekServerNames"/> by each record's uid; it yields no flow. A log that turns out to hold connections or
/// another log's records ends the reading (<see cref="Finished"/>): its lines are its own source's. A JSON line without
/// <c>_path</c> is told by its keys (<see cref="ZeekLogKinds.OfRecord"/>).
/// </summary>
internal sealed class ZeekNameLogReader : LineRecordReader
{
    private readonly ZeekServerNames _names;
    private readonly ZeekTsvHeader _header = new();
    private int _uid = -1, _name = -1, _alpn = -1;

    public ZeekNameLogReader(TextReader text, string name, RecordStatistics statistics, ZeekServerNames names)
        : base(text, name, statistics) => _names = names;

    /// <summary>True once a record that names no server (conn.log's, dns.log's...) was met: the rest is not read.</summary>
    public bool Finished { get; private set; }

    protected override LineOutcome Parse(string line, ref FlowRecord record)
    {
        if (line.Length == 0) return LineOutcome.Ignored;
        if (line[0] == '#') return Header(line);
        if (line[0] == '{') return JsonLine(line);
        var kind = ZeekLogKinds.Of(_header.Path);
        if (kind is not (ZeekLogKind.Tls or ZeekLogKind.Http) || _header.Fields is not { } fields) return Finish();
        if (_uid < 0 || _name < 0) return Reject($"#fields of the {_header.Path} log name no uid or no {NameField(kind)}");
        var rest = line.AsSpan();
        string? uid = null, name = null, alpn = null;
        int column = 0;
        foreach (var range in rest.Split(_header.Separator))
        {
            var value = rest[range];
            if (!_header.IsNone(value))
            {
                if (column == _uid) uid = value.ToString();
                else if (column == _name) name = Text(value);
                else if (column == _alpn) alpn = Text(value);
            }
            column++;
        }
        if (column != fields.Length) return Reject($"{column} columns where #fields names {fields.Length}");
        return Named(uid, kind, name, alpn);
    }

    private LineOutcome Header(string line)
    {
        if (_header.Take(line, out bool fieldsChanged) is { } problem) return Reject(problem);
        if (fieldsChanged)
        {
            var fields = _header.Fields!;
            _uid = Array.IndexOf(fields, "uid");
            _name = Array.IndexOf(fields, NameField(ZeekLogKinds.Of(_header.Path)));
            _alpn = ZeekLogKinds.Of(_header.Path) == ZeekLogKind.Tls ? Array.IndexOf(fields, "next_protocol") : -1;
        }
        return LineOutcome.Ignored;
    }

    private LineOutcome JsonLine(string line)
    {
        string? path = null, uid = null, serverName = null, host = null, alpn = null;
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
            ZeekLogKind.Tls => Named(uid, ZeekLogKind.Tls, serverName, alpn),
            ZeekLogKind.Http => Named(uid, ZeekLogKind.Http, host),
            _ => Finish(),
        };
    }

    // A record without a name and without a selected protocol (a TLS client that sent no SNI to a server that selected
    // none, an HTTP/1.0 request without Host) says nothing.
    private LineOutcome Named(string? uid, ZeekLogKind kind, string? name, string? alpn = null)
    {
        if (uid is null) return Reject($"a {Log(kind)} record without a uid: it joins no connection");
        if (!string.IsNullOrEmpty(name) || !string.IsNullOrEmpty(alpn)) _names.Add(uid, kind, name, alpn);
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

    private static string NameField(ZeekLogKind kind) => kind == ZeekLogKind.Tls ? "server_name" : "host";

    private static string Log(ZeekLogKind kind) => kind == ZeekLogKind.Tls ? "ssl.log" : "http.log";
}
