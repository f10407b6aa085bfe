using System.Globalization;
using System.Text.RegularExpressions;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;

namespace PortAudit.Sources.Records;

/// <summary>
/// Cisco ASA, FTD and PIX syslog. A connection's built message (302013 TCP, 302015 UDP) and its teardown (302014,
/// 302016) become one flow, paired by connection id: the built message says who initiated (outbound: the "to" side;
/// inbound: the "for" side), the teardown when it ended and its bytes (one total both ways, counted toward the
/// server: the ASA does not split it). A denied flow (106001, 106023, 106100 denied) is a blocked flow record; 106100
/// permitted is an allowed one. Other messages are passed over. Only built connections awaiting their teardown are
/// held, so memory is bounded by the firewall's live connections.
/// </summary>
public sealed partial class AsaSyslogReader : LineRecordReader
{
    private readonly DateTime _readAt;
    private readonly IServerPortHint _serverPorts;
    private readonly Dictionary<string, FlowRecord> _open = new(StringComparer.Ordinal);
    private Dictionary<string, FlowRecord>.Enumerator? _drain;

    /// <summary>
    /// A reader of <paramref name="text"/>; a time without a year is the latest not after <paramref name="readAt"/> (<see cref="SyslogTime"/>), and
    /// <paramref name="serverPorts"/> places the client of a connection whose built message is not in the log, or of a
    /// packet of an established connection (ports below 1024 when null).
    /// </summary>
    public AsaSyslogReader(TextReader text, string name, RecordStatistics statistics, DateTime readAt, IServerPortHint? serverPorts = null)
        : base(text, name, statistics) => (_readAt, _serverPorts) = (readAt, serverPorts ?? WellKnownPortHint.Instance);

    /// <summary>The offsets of the zone names lines write after their times (by default the abbreviations of one offset alone).</summary>
    public LogTimeZones Zones { get; init; } = LogTimeZones.Default;

    /// <summary>Connections held built and not torn down, by default.</summary>
    public const int DefaultMaxOpenConnections = 200_000;

    // ASA connection ids are 32-bit counters in decimal; a longer one is not an id.
    private const int MaxConnectionIdLength = 20;

    /// <summary>Connections built and not yet torn down.</summary>
    public int OpenConnections => _open.Count;

    /// <summary>
    /// Most connections held built and not torn down: past it a built message is rejected, so that a log of builds
    /// without teardowns (or of made-up connection ids) cannot grow memory without end.
    /// </summary>
    public int MaxOpenConnections { get; init; } = DefaultMaxOpenConnections;

    [GeneratedRegex(@"%(?:ASA|FTD|PIX)(?:-\w+)?-\d-(\d{6}): ?(.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex MessagePattern();

    // ASA's logging timestamp with a year, then the zone name `clock timezone` set, right against the colon
    // ("Apr 15 2014 09:34:34 EDT: %ASA-..."); a device id stands apart from it ("INT-FW01 : ") or is no word of letters.
    [GeneratedRegex(@"^(?:<\d{1,3}>)?[A-Za-z]{3} {1,2}\d{1,2} \d{4} \d\d:\d\d:\d\d ([A-Za-z]{2,5}):", RegexOptions.CultureInvariant)]
    private static partial Regex ZonedTimePattern();

    [GeneratedRegex(@"^Built (inbound|outbound) (\w+) connection (\S+) for [^:\s]+:([^/\s]+)/(\d+)\b.*? to [^:\s]+:([^/\s]+)/(\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex BuiltPattern();

    [GeneratedRegex(@"^Teardown (\w+) connection (\S+) for [^:\s]+:([^/\s]+)/(\d+)\b.*? to [^:\s]+:([^/\s]+)/(\d+)\b.*? duration (\d+):(\d\d):(\d\d) bytes (\d+)\s*(.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex TeardownPattern();

    [GeneratedRegex(@"^Inbound (\w+) connection denied from ([^/\s]+)/(\S+) to ([^/\s]+)/(\S+) flags", RegexOptions.CultureInvariant)]
    private static partial Regex InboundDeniedPattern();

    [GeneratedRegex(@"^Deny (\w+) src [^:\s]+:([^/\s]+)(?:/(\d+))? dst [^:\s]+:([^/\s]+)(?:/(\d+))?(?:.*?type (\d+), code (\d+))?", RegexOptions.CultureInvariant)]
    private static partial Regex AccessGroupDenyPattern();

    [GeneratedRegex(@"^access-list \S+ (permitted|denied|est-allowed) (\w+) [^/\s]+/([^(\s]+)\((\d+)\).*? -> [^/\s]+/([^(\s]+)\((\d+)\)", RegexOptions.CultureInvariant)]
    private static partial Regex AccessListPattern();

    /// <inheritdoc />
    protected override LineOutcome Parse(string line, ref FlowRecord record)
    {
        var message = MessagePattern().Match(line);
        if (!message.Success) return LineOutcome.Ignored;
        var zoned = ZonedTimePattern().Match(line, 0, message.Index);
        // A time followed by a zone's name is placed by the name; one without, by the zone the site named for such times.
        long time = SyslogTime.TryParse(line, _readAt, zoned.Success ? TimeZoneInfo.Utc : Zones.Unnamed, out long t) ? t : 0;
        if (time != 0 && zoned.Success)
        {
            // The time is the zone's: read as UTC it was hours off, silently. A name we cannot place is said, not guessed.
            var zone = zoned.Groups[1].ValueSpan;
            if (!Zones.TryOffset(zone, out var offset))
                return Reject($"time zone '{zone}' is not one whose offset from UTC is known (an abbreviation of one offset alone): the time cannot be placed (name its offset: --log-zone {zone}=+HH:MM or -HH:MM)");
            time = Math.Max(0, Saturating.Add(time, -offset.Ticks * 100));
        }
        string text = message.Groups[2].Value;
        return message.Groups[1].Value switch
        {
            "302013" or "302015" => Built(text, time),
            "302014" or "302016" => Teardown(text, time, ref record),
            "106001" => Denied(InboundDeniedPattern().Match(text), time, ref record, "106001"),
            "106023" => Denied(AccessGroupDenyPattern().Match(text), time, ref record, "106023"),
            "106100" => AccessList(text, time, ref record),
            _ => LineOutcome.Ignored,
        };
    }

    private LineOutcome Built(string text, long time)
    {
        var m = BuiltPattern().Match(text);
        if (!m.Success) return Reject("built message not understood");
        if (!Endpoints(m, 2, 4, 5, 6, 7, out var record, out var problem)) return Reject(problem);
        // Outbound: the "to" side (higher security) opened it; inbound: the "for" side.
        if (m.Groups[1].Value == "outbound") record.Swap();
        record.StartNs = record.EndNs = time;
        record.State = FlowState.Established;
        record.Evidence = FlowEvidence.FirewallLog;
        var id = m.Groups[3].ValueSpan;
        if (id.Length > MaxConnectionIdLength) return Reject($"connection id '{RecordFields.Clip(id)}' is longer than {MaxConnectionIdLength} characters");
        record.RecordId = id.ToString();
        if (_open.Count >= MaxOpenConnections && !_open.ContainsKey(record.RecordId))
            return Reject($"more than {MaxOpenConnections} connections built and not torn down: this one is not kept");
        _open[record.RecordId] = record;
        return LineOutcome.Consumed;
    }

    private LineOutcome Teardown(string text, long time, ref FlowRecord record)
    {
        var m = TeardownPattern().Match(text);
        if (!m.Success) return Reject("teardown message not understood");
        string id = m.Groups[2].Value;
        if (!TryDuration(m.Groups[7].ValueSpan, m.Groups[8].ValueSpan, m.Groups[9].ValueSpan, out long duration))
            return Reject($"duration '{RecordFields.Clip(m.Groups[7].ValueSpan)}:{m.Groups[8].ValueSpan}:{m.Groups[9].ValueSpan}' is longer than a flow's time can hold");
        if (!RecordFields.TryParseCount(m.Groups[10].ValueSpan, out long bytes)) return Reject("teardown bytes not a count");
        if (_open.Remove(id, out var built))
        {
            record = built;
            // A built message without a time (and only it): the teardown's time and duration place the start.
            if (record.StartNs == 0 && time != 0) record.StartNs = Math.Max(0, time - duration);
        }
        else
        {
            // Its built message came before the log began: the side on a service port is the server.
            if (!Endpoints(m, 1, 3, 4, 5, 6, out record, out var problem)) return Reject(problem);
            bool swap = !_serverPorts.SenderIsClient(record.Protocol, record.ClientPort, record.ServerPort);
            if (swap) record.Swap();
            // A store keeps that the ports decided, and an audit reading the flow back decides again with its own.
            record.SidesFromPorts = true;
            record.FirstSentByServer = swap;
            // Without a time the flow has none (start and end 0), not a start before the epoch.
            record.StartNs = time == 0 ? 0 : Math.Max(0, time - duration);
            record.Evidence = FlowEvidence.FirewallLog;
            record.RecordId = id;
        }
        // A teardown without a time ends the flow its duration after a dated built message, or leaves it undated.
        record.EndNs = time != 0 ? Statistics.EndNotBefore(record.StartNs, time) : record.StartNs == 0 ? 0 : Saturating.Add(record.StartNs, duration);
        record.BytesToServer = bytes;
        // A TCP connection torn down for want of the server's SYN-ACK never opened.
        record.State = m.Groups[11].Value.Contains("SYN Timeout", StringComparison.Ordinal) ? FlowState.Unanswered : FlowState.Established;
        return LineOutcome.Flow;
    }

    // "h:mm:ss" in nanoseconds. The hours are not bounded by the format (a connection of weeks has hundreds), but past
    // about 2.56 million hours (292 years) the nanoseconds leave a long: such a line is damaged, not a connection.
    private static bool TryDuration(ReadOnlySpan<char> hours, ReadOnlySpan<char> minutes, ReadOnlySpan<char> seconds, out long nanoseconds)
    {
        nanoseconds = 0;
        const long MaxHours = long.MaxValue / 3_600_000_000_000L - 1;
        if (!long.TryParse(hours, NumberStyles.None, CultureInfo.InvariantCulture, out long h) || h > MaxHours) return false;
        int m = int.Parse(minutes, CultureInfo.InvariantCulture), s = int.Parse(seconds, CultureInfo.InvariantCulture);
        nanoseconds = ((h * 3600) + (m * 60) + s) * 1_000_000_000L;
        return true;
    }

    private LineOutcome Denied(Match m, long time, ref FlowRecord record, string id)
    {
        if (!m.Success) return Reject($"{id} message not understood");
        if (!RecordFields.TryParseProtocol(m.Groups[1].ValueSpan, out byte protocol)) return Reject($"protocol '{RecordFields.Clip(m.Groups[1].ValueSpan)}' not known");
        if (!RecordFields.TryParseAddress(m.Groups[2].ValueSpan, out var source) || !RecordFields.TryParseAddress(m.Groups[4].ValueSpan, out var destination))
            return Reject("source or destination is not an address (an object name?)");
        ushort sourcePort = 0, destinationPort = 0;
        if ((m.Groups[3].Success && !RecordFields.TryParsePort(m.Groups[3].ValueSpan, out sourcePort))
            || (m.Groups[5].Success && !RecordFields.TryParsePort(m.Groups[5].ValueSpan, out destinationPort)))
            return Reject("port is not a number");
        bool icmp = protocol is IpProtocol.Icmp or IpProtocol.IcmpV6;
        if (icmp) sourcePort = destinationPort = 0;
        // A denied opening: the sender is the one who tried.
        LoggedPacket.Fill(ref record, protocol, source, sourcePort, destination, destinationPort, 0, syn: true, ack: false, time, FirewallDecision.Blocked);
        record.PacketsToServer = 1;
        if (icmp && m.Groups.Count > 7 && m.Groups[6].Success)
        {
            record.IcmpType = byte.Parse(m.Groups[6].ValueSpan, CultureInfo.InvariantCulture);
            record.IcmpCode = byte.Parse(m.Groups[7].ValueSpan, CultureInfo.InvariantCulture);
        }
        return LineOutcome.Flow;
    }

    private LineOutcome AccessList(string text, long time, ref FlowRecord record)
    {
        var m = AccessListPattern().Match(text);
        if (!m.Success) return Reject("106100 message not understood");
        if (!RecordFields.TryParseProtocol(m.Groups[2].ValueSpan, out byte protocol)) return Reject($"protocol '{RecordFields.Clip(m.Groups[2].ValueSpan)}' not known");
        if (!RecordFields.TryParseAddress(m.Groups[3].ValueSpan, out var source) || !RecordFields.TryParseAddress(m.Groups[5].ValueSpan, out var destination))
            return Reject("source or destination is not an address");
        if (!RecordFields.TryParsePort(m.Groups[4].ValueSpan, out ushort sourcePort) || !RecordFields.TryParsePort(m.Groups[6].ValueSpan, out ushort destinationPort))
            return Reject("port is not a number");
        var decision = m.Groups[1].Value == "denied" ? FirewallDecision.Blocked : FirewallDecision.Allowed;
        // est-allowed: a packet of a connection already established, whose opening this line does not show.
        bool opening = m.Groups[1].Value != "est-allowed";
        LoggedPacket.Fill(ref record, protocol, source, sourcePort, destination, destinationPort, 0, syn: opening, ack: !opening, time, decision, _serverPorts);
        return LineOutcome.Flow;
    }

    private static bool Endpoints(Match m, int protocolGroup, int firstAddress, int firstPort, int secondAddress, int secondPort,
        out FlowRecord record, out string problem)
    {
        record = default;
        problem = "";
        if (!RecordFields.TryParseProtocol(m.Groups[protocolGroup].ValueSpan, out byte protocol)) { problem = "protocol not known"; return false; }
        if (!RecordFields.TryParseAddress(m.Groups[firstAddress].ValueSpan, out var first) || !RecordFields.TryParseAddress(m.Groups[secondAddress].ValueSpan, out var second))
        {
            problem = "address is not an address (an object name?)";
            return false;
        }
        if (!RecordFields.TryParsePort(m.Groups[firstPort].ValueSpan, out ushort p1) || !RecordFields.TryParsePort(m.Groups[secondPort].ValueSpan, out ushort p2))
        {
            problem = "port is not a number";
            return false;
        }
        // "for" side first, as the message writes it: the server of an outbound connection.
        record.Protocol = protocol;
        record.Client = first;
        record.ClientPort = p1;
        record.Server = second;
        record.ServerPort = p2;
        return true;
    }

    /// <inheritdoc />
    protected override bool TryDrain(ref FlowRecord record)
    {
        // Built but never torn down in this log: the connection was open when the log ended.
        _drain ??= _open.GetEnumerator();
        var drain = _drain.Value;
        bool more = drain.MoveNext();
        if (more) record = drain.Current.Value;
        _drain = drain;
        return more;
    }
}
