using System.Globalization;
using System.Text;
using System.Text.Json;
using PortAudit.Flows;
using PortAudit.Flows.Facts;

namespace PortAudit.Sources.Records;

/// <summary>
/// Reads what a Zeek ssl.log (<c>server_name</c>, the ALPN protocol its server selected, <c>next_protocol</c>, the
/// version and cipher suite it chose, <c>version</c> and <c>cipher</c>, and its leaf certificate, the first of
/// <c>cert_chain_fps</c> or <c>cert_chain_fuids</c>), http.log (<c>host</c>) or dce_rpc.log (<c>endpoint</c>,
/// <c>operation</c>) says of connections, TSV or JSON lines, into <see cref="ZeekLogJoin"/> by each record's uid, and
/// what x509.log says of each certificate by its <c>fingerprint</c> or file <c>id</c> (its key and signature
/// algorithm); it yields no flow. A log that turns out to hold connections or another log's records ends the reading
/// (<see cref="Finished"/>): its lines are its own source's. A JSON line without <c>_path</c> is told by its keys
/// (<see cref="ZeekLogKinds.OfRecord"/>).
/// </summary>
internal sealed class ZeekJoinLogReader : LineRecordReader
{
    private readonly ZeekLogJoin _join;
    private readonly ZeekTsvHeader _header = new();
    // The columns of the uid and of the values a log gives (Fields), -1 for one the log has not, and a line's values.
    private int _uid = -1;
    private readonly int[] _columns = new int[MaxFields];
    private readonly string?[] _values = new string?[MaxFields];
    // A JSON line's values, by JsonKeys.
    private readonly string?[] _json = new string?[JsonKeys.Length];

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
        if (!Joins(kind) || _header.Fields is not { } fields) return Finish();
        if (kind == ZeekLogKind.X509 ? _columns[0] < 0 && _columns[1] < 0 : _uid < 0 || _columns[0] < 0)
            return Reject($"#fields of the {_header.Path} log name no {(kind == ZeekLogKind.X509 ? "fingerprint or id" : $"uid or no {Fields(kind)[0]}")}");
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
        return Joined(uid, kind, _values);
    }

    private static bool Joins(ZeekLogKind kind) => kind is ZeekLogKind.Tls or ZeekLogKind.Http or ZeekLogKind.DceRpc or ZeekLogKind.X509;

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
        string? path = null, uid = null;
        bool proto = false;
        var keyed = ZeekLogKind.Connections;
        Array.Clear(_json);
        try
        {
            var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(line));
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string key = reader.GetString()!;
                reader.Read();
                if (ZeekLogKinds.OfKey(key) is var kind && kind != ZeekLogKind.Connections) keyed = kind;
                int slot = Array.IndexOf(JsonKeys, key);
                // A vector (cert_chain_fps) gives its first member; objects and other arrays are passed over.
                string? value = reader.TokenType switch
                {
                    JsonTokenType.String => reader.GetString(),
                    JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
                    JsonTokenType.StartArray when slot >= 0 => FirstMember(ref reader),
                    JsonTokenType.StartArray or JsonTokenType.StartObject => Skipped(ref reader),
                    _ => null,
                };
                switch (key)
                {
                    case "_path": path = value; break;
                    case "uid": uid = value; break;
                    case "proto": proto = true; break;
                    default:
                        if (slot >= 0) _json[slot] = value;
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return Reject($"malformed JSON: {ex.Message}");
        }
        var recordKind = ZeekLogKinds.OfRecord(path, proto, keyed);
        if (!Joins(recordKind)) return Finish();
        var names = Fields(recordKind);
        Array.Clear(_values);
        for (int i = 0; i < names.Length; i++) _values[i] = _json[Array.IndexOf(JsonKeys, names[i])];
        return Joined(uid, recordKind, _values);
    }

    // The first string of the array the reader is at; the reader ends on the array's end.
    private static string? FirstMember(ref Utf8JsonReader reader)
    {
        string? first = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.String) first ??= reader.GetString();
            else if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject) reader.Skip();
        }
        return first;
    }

    private static string? Skipped(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return null;
    }

    // A record without a name, a selected protocol, a version, a cipher or a certificate (a TLS client that sent no SNI
    // to a server that never answered, an HTTP/1.0 request without Host) says nothing; nor does a call on an interface no
    // name of the run's tables or Zeek's unknown-UUID gives (it is judged as a capture's unnamed interface is: not at all).
    // The values are Fields' columns, in its order.
    private LineOutcome Joined(string? uid, ZeekLogKind kind, ReadOnlySpan<string?> values)
    {
        if (kind == ZeekLogKind.X509)
        {
            Certificate(values);
            return LineOutcome.Ignored;
        }
        if (uid is null) return Reject($"a record of {Log(kind)} without a uid: it joins no connection");
        if (kind == ZeekLogKind.DceRpc)
        {
            if (!string.IsNullOrEmpty(values[0])) _join.AddCall(uid, values[0]!, values[1]);
        }
        else if (kind == ZeekLogKind.Http)
        {
            if (!string.IsNullOrEmpty(values[0])) _join.Add(uid, kind, values[0]);
        }
        else if (AnySet(values[..TlsFields.Length]))
            _join.Add(uid, kind, values[0], values[1], ZeekMapping.TlsVersion(values[2]), values[3], Leaf(values[4] ?? values[5]));
        return LineOutcome.Ignored;
    }

    private static bool AnySet(ReadOnlySpan<string?> values)
    {
        foreach (var value in values)
            if (!string.IsNullOrEmpty(value)) return true;
        return false;
    }

    // An x509.log record: its flaws by its fingerprint and its file id (the two ways ssl.log names a leaf).
    private void Certificate(ReadOnlySpan<string?> values)
    {
        // certificate.key_length is a count; a key other than RSA's is not judged by length.
        int rsaBits = values[2] == "rsa" && int.TryParse(values[3], NumberStyles.None, CultureInfo.InvariantCulture, out int bits) ? bits : 0;
        string? flaws = TlsCertificateFlaws.Of(rsaBits, values[4], selfIssued: values[5] is { } subject && subject == values[6]);
        _join.AddCertificate(values[0], values[1], flaws);
    }

    // The first member of a TSV vector (Zeek joins them with its set separator, a comma).
    private static string? Leaf(string? vector) => vector is null ? null : vector.IndexOf(',') is var comma and >= 0 ? vector[..comma] : vector;

    // A TSV value with Zeek's \xHH escapes undone.
    private static string Text(ReadOnlySpan<char> value) =>
        value.Contains("\\x", StringComparison.Ordinal) ? ZeekTsvHeader.Unescape(value) : value.ToString();

    private LineOutcome Finish()
    {
        Finished = true;
        // Handed out as a flow so that the reading loop stops here; the record is empty and never used.
        return LineOutcome.Flow;
    }

    // The columns of the values a log of kind gives, the first required (x509.log: the first or the second).
    private static string[] Fields(ZeekLogKind kind) => kind switch
    {
        ZeekLogKind.Tls => TlsFields,
        ZeekLogKind.DceRpc => DceRpcFields,
        ZeekLogKind.X509 => X509Fields,
        _ => HttpFields,
    };

    private static readonly string[] TlsFields = ["server_name", "next_protocol", "version", "cipher", "cert_chain_fps", "cert_chain_fuids"],
        DceRpcFields = ["endpoint", "operation"], HttpFields = ["host"],
        X509Fields = ["fingerprint", "id", "certificate.key_type", "certificate.key_length", "certificate.sig_alg", "certificate.subject", "certificate.issuer"];

    private static readonly string[] JsonKeys = [.. TlsFields, .. DceRpcFields, .. HttpFields, .. X509Fields];
    private const int MaxFields = 7;

    private static string Log(ZeekLogKind kind) => kind switch
    {
        ZeekLogKind.Tls => "ssl.log",
        ZeekLogKind.DceRpc => "dce_rpc.log",
        _ => "http.log",
    };
}
