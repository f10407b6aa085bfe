using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;

namespace PortAudit.Sources.Records;

/// <summary>
/// nftables and iptables LOG lines as the kernel writes them (<c>IN= OUT= MAC= SRC= DST= LEN= ... PROTO= SPT= DPT=</c>),
/// bare or behind a syslog, journal or Proxmox header. Each line is one logged packet and becomes a one-packet flow
/// (<see cref="LoggedPacket"/>); the decision is read from the log prefix the rule set (DROP, REJECT, ACCEPT...), and a
/// prefix that names none is taken as a packet let through (LOG rules that precede a drop say so in their prefix).
/// Lines of other programs are passed over; a line with SRC= and DST= but no IN= or OUT= before them, or an unknown
/// field where IN= belongs, is rejected as damaged.
/// </summary>
public sealed class NetfilterLogReader : LineRecordReader
{
    private readonly DateTime _readAt;
    private readonly IServerPortHint? _serverPorts;

    /// <summary>
    /// A reader of <paramref name="text"/>; a time without a year is the latest not after <paramref name="readAt"/> (<see cref="SyslogTime"/>), and
    /// <paramref name="serverPorts"/> places the client of a packet logged after its connection opened (ports below 1024
    /// when null).
    /// </summary>
    public NetfilterLogReader(TextReader text, string name, RecordStatistics statistics, DateTime readAt, IServerPortHint? serverPorts = null)
        : base(text, name, statistics) => (_readAt, _serverPorts) = (readAt, serverPorts);

    /// <summary>The zone of the log's times, which name none: UTC unless the site named its own (<see cref="LogTimeZones.Unnamed"/>).</summary>
    public TimeZoneInfo Zone { get; init; } = TimeZoneInfo.Utc;

    /// <inheritdoc />
    protected override LineOutcome Parse(string line, ref FlowRecord record)
    {
        var span = line.AsSpan();
        int src = span.IndexOf(" SRC=", StringComparison.Ordinal);
        if (src < 0 || !span.Contains(" DST=", StringComparison.Ordinal)) return LineOutcome.Ignored;
        // The kernel starts with IN= (glued to a prefix without a trailing space, at times); Proxmox's logger leaves IN=
        // out for output packets and starts with OUT=.
        int fields = span.IndexOf("IN=", StringComparison.Ordinal);
        if (fields < 0 || fields > src) fields = span.IndexOf("OUT=", StringComparison.Ordinal);
        if (fields < 0 || fields > src) return Reject("no IN= or OUT= field before SRC=: not a kernel LOG line");
        var head = span[..fields];
        int lastSpace = head.TrimEnd().LastIndexOf(' ');
        if (head.EndsWith(" ") && head.TrimEnd()[(lastSpace + 1)..].Contains('='))
            return Reject($"unknown field '{RecordFields.Clip(head.TrimEnd()[(lastSpace + 1)..])}' where IN= belongs");
        // The prefix sits after the kernel's tag; the syslog host name before it must not decide anything.
        int kernel = head.IndexOf("kernel:", StringComparison.Ordinal);
        var prefix = kernel >= 0 ? head[(kernel + 7)..] : head;
        var decision = LoggedPacket.DecisionOf(prefix) ?? FirewallDecision.Allowed;
        long time = SyslogTime.TryParse(span, _readAt, Zone, out long t) ? t : ProxmoxTime(head);

        IpAddr source = default, destination = default;
        bool hasSource = false, hasDestination = false, syn = false, ack = false;
        ushort sourcePort = 0, destinationPort = 0;
        long length = -1;
        byte protocol = 0;
        bool hasProtocol = false;
        int icmpType = -1, icmpCode = 0;
        foreach (var range in span[fields..].Split(' '))
        {
            var token = span[fields..][range];
            int eq = token.IndexOf('=');
            if (eq < 0)
            {
                if (token.SequenceEqual("SYN")) syn = true;
                else if (token.SequenceEqual("ACK")) ack = true;
                continue;
            }
            var key = token[..eq];
            var value = token[(eq + 1)..];
            switch (key)
            {
                case "SRC": hasSource = RecordFields.TryParseAddress(value, out source); if (!hasSource) return Reject($"SRC={RecordFields.Clip(value)} is not an address"); break;
                case "DST": hasDestination = RecordFields.TryParseAddress(value, out destination); if (!hasDestination) return Reject($"DST={RecordFields.Clip(value)} is not an address"); break;
                // The first LEN= is the IP packet's; UDP repeats LEN= for its own header.
                case "LEN" when length < 0: if (!RecordFields.TryParseCount(value, out length)) return Reject($"LEN={RecordFields.Clip(value)} is not a length"); break;
                case "PROTO": hasProtocol = RecordFields.TryParseProtocol(value, out protocol); if (!hasProtocol) return Reject($"PROTO={RecordFields.Clip(value)} is not a protocol"); break;
                case "SPT": if (!RecordFields.TryParsePort(value, out sourcePort)) return Reject($"SPT={RecordFields.Clip(value)} is not a port"); break;
                case "DPT": if (!RecordFields.TryParsePort(value, out destinationPort)) return Reject($"DPT={RecordFields.Clip(value)} is not a port"); break;
                case "TYPE" when icmpType < 0: if (!byte.TryParse(value, out var ty)) return Reject($"TYPE={RecordFields.Clip(value)} is not an ICMP type"); icmpType = ty; break;
                case "CODE": if (!byte.TryParse(value, out var co)) return Reject($"CODE={RecordFields.Clip(value)} is not an ICMP code"); icmpCode = co; break;
            }
        }
        if (!hasSource || !hasDestination || !hasProtocol) return Reject("no SRC=, DST= or PROTO=");
        LoggedPacket.Fill(ref record, protocol, source, sourcePort, destination, destinationPort, Math.Max(0, length), syn, ack, time, decision, _serverPorts);
        if (protocol is IpProtocol.Icmp or IpProtocol.IcmpV6 && icmpType >= 0)
        {
            record.IcmpType = (byte)icmpType;
            record.IcmpCode = (byte)icmpCode;
        }
        return LineOutcome.Flow;
    }

    // Proxmox's pve-firewall log: "0 3 PVEFW-HOST-IN 20/Jun/2022:13:09:14 +0200 policy DROP: IN=...".
    private static long ProxmoxTime(ReadOnlySpan<char> head)
    {
        foreach (var range in head.Split(' '))
        {
            var token = head[range];
            if (token.Length == 20 && token[2] == '/' && token[6] == '/'
                && DateTime.TryParseExact(token, "dd/MMM/yyyy:HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var time))
            {
                int next = head.IndexOf(token) + token.Length + 1;
                var zone = next + 5 <= head.Length ? head.Slice(next, 5) : default;
                long offset = zone.Length == 5 && (zone[0] is '+' or '-') && int.TryParse(zone[1..3], out int h) && int.TryParse(zone[3..], out int m)
                    ? (zone[0] == '-' ? -1 : 1) * (h * 60L + m) * 60_000_000_000L : 0;
                return UnixTime.TryFromTicks(time.Ticks, out long ns) ? Saturating.Add(ns, -offset) : 0;
            }
        }
        return 0;
    }
}
