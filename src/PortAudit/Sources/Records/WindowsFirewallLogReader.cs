using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;

namespace PortAudit.Sources.Records;

/// <summary>
/// Windows Defender Firewall's pfirewall.log (W3C-like: <c>#Fields: date time action protocol src-ip dst-ip src-port
/// dst-port size tcpflags ... path</c>), columns found by the #Fields line. ALLOW and OPEN rows are flows let through,
/// DROP rows blocked ones (each a one-packet flow, <see cref="LoggedPacket"/>); CLOSE rows and INFO-EVENTS-LOST carry
/// no flow of their own and are passed over. Times are written in the host's local time (#Time Format: Local), a zone
/// the log does not name: they are <see cref="Zone"/>'s, UTC unless the site names the host's.
/// </summary>
public sealed class WindowsFirewallLogReader : LineRecordReader
{
    private int _date = 0, _time = 1, _action = 2, _protocol = 3, _source = 4, _destination = 5, _sourcePort = 6, _destinationPort = 7,
        _size = 8, _flags = 9, _icmpType = 13, _icmpCode = 14;
    private int _columns = 17;
    private readonly Range[] _fields = new Range[32];
    private readonly IServerPortHint? _serverPorts;

    /// <summary>
    /// A reader of <paramref name="text"/>; <paramref name="serverPorts"/> places the client of a packet logged after its
    /// connection opened (ports below 1024 when null).
    /// </summary>
    public WindowsFirewallLogReader(TextReader text, string name, RecordStatistics statistics, IServerPortHint? serverPorts = null)
        : base(text, name, statistics) => _serverPorts = serverPorts;

    /// <summary>The zone of the log's times, the host's local time: UTC unless the site named its own (<see cref="LogTimeZones.Unnamed"/>).</summary>
    public TimeZoneInfo Zone { get; init; } = TimeZoneInfo.Utc;

    /// <summary>
    /// Whether the site named <see cref="Zone"/>; when it did not, each row is counted as a local time read as UTC
    /// (<see cref="RecordStatistics.LocalTimesAsUtc"/>), so that the run says so: the file itself says its times are local.
    /// </summary>
    public bool ZoneNamed { get; init; }

    /// <inheritdoc />
    protected override LineOutcome Parse(string line, ref FlowRecord record)
    {
        var span = line.AsSpan().TrimEnd();
        if (span.IsEmpty) return LineOutcome.Ignored;
        if (span[0] == '#')
        {
            if (span.StartsWith("#Fields:")) ReadHeader(span["#Fields:".Length..]);
            return LineOutcome.Ignored;
        }
        int count = span.Split(_fields, ' ', StringSplitOptions.RemoveEmptyEntries);
        // Fields past the count hold the previous row's places (found by tools/fuzz): the action must be among this row's.
        if (count <= _action) return Reject("not a pfirewall.log row");
        var action = span[_fields[_action]];
        if (action.SequenceEqual("CLOSE") || action.SequenceEqual("INFO-EVENTS-LOST")) return LineOutcome.Ignored;
        if (count < _columns) return Reject($"{count} columns where #Fields names {_columns}");
        FirewallDecision decision;
        if (action.SequenceEqual("DROP")) decision = FirewallDecision.Blocked;
        else if (action.SequenceEqual("ALLOW") || action.StartsWith("OPEN")) decision = FirewallDecision.Allowed;
        else return Reject($"action '{RecordFields.Clip(action)}' not known");
        string stamp = $"{span[_fields[_date]]}T{span[_fields[_time]]}";
        if (!RecordFields.TryParseIso(stamp, Zone, out long time))
            return Reject(RecordFields.TryParseIso(stamp, out _)
                ? $"date and time not on a clock of {Zone.Id}: skipped when its clocks went forward (summer time)"
                : "date and time not understood");
        if (!ZoneNamed) Statistics.CountLocalTimeAsUtc();
        if (!RecordFields.TryParseProtocol(span[_fields[_protocol]], out byte protocol)) return Reject($"protocol '{RecordFields.Clip(span[_fields[_protocol]])}' not known");
        if (!RecordFields.TryParseAddress(span[_fields[_source]], out var source) || !RecordFields.TryParseAddress(span[_fields[_destination]], out var destination))
            return Reject("src-ip or dst-ip is not an address");
        // "-" is the log's own word for a value it has not; anything else must parse, not turn into 0 unnoticed.
        if (!Unset(span[_fields[_sourcePort]], out ushort sourcePort, RecordFields.TryParsePort)
            || !Unset(span[_fields[_destinationPort]], out ushort destinationPort, RecordFields.TryParsePort))
            return Reject("src-port or dst-port is not a port");
        if (!Unset(span[_fields[_size]], out long size, RecordFields.TryParseCount))
            return Reject($"size '{RecordFields.Clip(span[_fields[_size]])}' is not a count");
        var flags = span[_fields[_flags]];
        bool icmp = protocol is IpProtocol.Icmp or IpProtocol.IcmpV6;
        // Windows logs TCP flags as letters (S, A, AP, FA); an allowed connection is logged once, at its opening.
        bool syn = flags.Contains('S') || (decision == FirewallDecision.Allowed && flags.SequenceEqual("-"));
        bool ack = flags.Contains('A');
        LoggedPacket.Fill(ref record, protocol, source, icmp ? (ushort)0 : sourcePort, destination, icmp ? (ushort)0 : destinationPort,
            size, syn, ack, time, decision, _serverPorts);
        if (icmp)
        {
            if (!Unset(span[_fields[_icmpType]], out byte type, byte.TryParse) || !Unset(span[_fields[_icmpCode]], out byte code, byte.TryParse))
                return Reject("icmptype or icmpcode is not a number from 0 to 255");
            record.IcmpType = type;
            record.IcmpCode = code;
        }
        return LineOutcome.Flow;
    }

    private delegate bool Parser<T>(ReadOnlySpan<char> text, out T value);

    // A value, or "-" (unset: the default).
    private static bool Unset<T>(ReadOnlySpan<char> text, out T value, Parser<T> parse)
    {
        value = default!;
        return text.SequenceEqual("-") || parse(text, out value);
    }

    private void ReadHeader(ReadOnlySpan<char> names)
    {
        int index = 0;
        foreach (var range in names.Trim().Split(' '))
        {
            switch (names.Trim()[range])
            {
                case "date": _date = index; break;
                case "time": _time = index; break;
                case "action": _action = index; break;
                case "protocol": _protocol = index; break;
                case "src-ip": _source = index; break;
                case "dst-ip": _destination = index; break;
                case "src-port": _sourcePort = index; break;
                case "dst-port": _destinationPort = index; break;
                case "size": _size = index; break;
                case "tcpflags": _flags = index; break;
                case "icmptype": _icmpType = index; break;
                case "icmpcode": _icmpCode = index; break;
            }
            index++;
        }
        // Every field read must lie within the columns a row is checked to have; a header naming more columns than a row
        // can be split into (or placing a field past them) leaves every row refused, counted, rather than misread.
        int furthest = new[] { _date, _time, _action, _protocol, _source, _destination, _sourcePort, _destinationPort, _size, _flags, _icmpType, _icmpCode }.Max();
        _columns = index > _fields.Length || furthest >= _fields.Length ? int.MaxValue : Math.Max(furthest + 1, index);
    }
}
