using System.Buffers;
using System.Text;
using System.Text.Json;
using PortAudit.Flows;

namespace PortAudit.Sources.Records;

/// <summary>
/// Zeek's conn.log as JSON lines (LogAscii::use_json): one object per line, ts either epoch seconds (a number) or an
/// ISO-8601 string (LogAscii::json_timestamps). Read with a forward-only reader over a reused buffer: a line costs
/// no document. A line that is not JSON, or whose strings hold a lone surrogate escape ("\ud800"), is rejected with its number.
/// A record of a log that holds no connections (by its <c>_path</c>, or without one by its keys: ssl.log's
/// <c>server_name</c>, http.log's <c>trans_depth</c>, where conn.log's always have <c>proto</c>) is not read as a flow, as
/// <see cref="ZeekTsvReader"/> passes such a log over.
/// </summary>
public sealed class ZeekJsonReader : LineRecordReader
{
    private readonly ZeekConnFields _fields;
    private byte[] _utf8 = new byte[4096];
    private char[] _chars = new char[256];

    /// <summary>
    /// A reader of <paramref name="text"/>; <paramref name="serverPorts"/> places the client of a connection whose opening
    /// Zeek did not see (ports below 1024 when null); <paramref name="names"/> gives connections the server names of the
    /// run's ssl.log and http.log.
    /// </summary>
    public ZeekJsonReader(TextReader text, string name, RecordStatistics statistics, IServerPortHint? serverPorts = null, ZeekLogJoin? names = null)
        : base(text, name, statistics) => _fields = new ZeekConnFields(serverPorts, names);

    /// <inheritdoc />
    protected override LineOutcome Parse(string line, ref FlowRecord record)
    {
        var trimmed = line.AsSpan().Trim();
        if (trimmed.IsEmpty) return LineOutcome.Ignored;
        if (trimmed[0] != '{') return Reject("not a JSON object");
        int needed = Encoding.UTF8.GetMaxByteCount(trimmed.Length);
        if (_utf8.Length < needed) _utf8 = new byte[Math.Max(needed, _utf8.Length * 2)];
        int length = Encoding.UTF8.GetBytes(trimmed, _utf8);
        _fields.Reset();
        string? path = null;
        bool proto = false;
        var named = ZeekLogKind.Connections;
        try
        {
            var reader = new Utf8JsonReader(_utf8.AsSpan(0, length));
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var key = Text(ref reader);
                var field = ZeekConnFields.FieldOf(key);
                proto |= field == ZeekField.Proto;
                if (ZeekLogKinds.OfKey(key) is var keyed && keyed != ZeekLogKind.Connections) named = keyed;
                bool isPath = key.SequenceEqual("_path");
                reader.Read();
                if (isPath && reader.TokenType == JsonTokenType.String)
                {
                    path = Text(ref reader).ToString();
                    continue;
                }
                if (field == ZeekField.TunnelParents && reader.TokenType == JsonTokenType.StartArray)
                {
                    // A set is an array in JSON: its members joined as the TSV log writes them.
                    if (Members(ref reader) is { Length: > 0 } members && _fields.Set(field, members) is { } bad) return Reject(bad);
                    continue;
                }
                if (reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }
                if (field == ZeekField.None || reader.TokenType == JsonTokenType.Null) continue;
                // Numbers are taken as their text: epoch seconds keep every digit, counts parse as counts.
                var value = reader.TokenType switch
                {
                    JsonTokenType.String => Text(ref reader),
                    JsonTokenType.True => "T",
                    JsonTokenType.False => "F",
                    _ => Raw(ref reader),
                };
                if (_fields.Set(field, value) is { } problem) return Reject(problem);
            }
        }
        catch (JsonException ex)
        {
            return Reject($"malformed JSON: {ex.Message}");
        }
        var kind = ZeekLogKinds.OfRecord(path, proto, named);
        if (kind != ZeekLogKind.Connections)
        {
            // ssl.log's and http.log's names were read before the run's flows (ZeekLogJoin); another log is named
            // once in the run's statistics. Neither is a flow or a rejected record.
            if (kind == ZeekLogKind.Other) Statistics.NoteOtherZeekLog(Name, path!);
            return LineOutcome.Ignored;
        }
        if (_fields.Build(ref record) is { } error) return Reject(error);
        if (record.AppDetail is not null || record.RpcCalls is not null) Statistics.CountZeekJoined();
        return LineOutcome.Flow;
    }

    // The string members of the array the reader is at, comma-separated; the reader ends on the array's end. Other
    // members (a log that is not Zeek's) are left out.
    private string Members(ref Utf8JsonReader reader)
    {
        var members = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.String) members.Add(Text(ref reader).ToString());
            else reader.Skip();
        }
        return string.Join(ZeekConnFields.SetSeparator, members);
    }

    private ReadOnlySpan<char> Text(ref Utf8JsonReader reader)
    {
        int max = reader.HasValueSequence ? (int)reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (_chars.Length < max) _chars = new char[max];
        int length;
        try
        {
            length = reader.CopyString(_chars);
        }
        catch (InvalidOperationException)
        {
            // "\ud800" alone: an escape that is no UTF-16 text. The record is skipped (rejected with its line), as
            // Zeek never writes one (it escapes bad bytes as \xHH) and no field of a flow can be trusted after it.
            throw new JsonException("a string holds a \\u escape of a lone UTF-16 surrogate");
        }
        return _chars.AsSpan(0, length);
    }

    private ReadOnlySpan<char> Raw(ref Utf8JsonReader reader)
    {
        var bytes = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan;
        if (_chars.Length < bytes.Length) _chars = new char[bytes.Length];
        int length = Encoding.ASCII.GetChars(bytes, _chars);
        return _chars.AsSpan(0, length);
    }
}
