using System.Globalization;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Sources.Records.Ipfix;

namespace PortAudit.Sources.Records;

/// <summary>
/// nfdump's CSV output (<c>nfdump -r FILE -o csv</c>, nfdump 1.7): the path from nfcapd's files, whose blocks may be
/// LZO, LZ4 or bzip2 compressed, to an audit. Columns are found by the header line (ts, te, sa, da, sp, dp, pr, flg,
/// ipkt, ibyt, opkt, obyt; the rest ignored). Times are nfdump's local time, which it does not name: they are
/// <see cref="Zone"/>'s (UTC unless the site names nfdump's; or run nfdump with TZ=UTC). A record with output
/// counters (NSEL, biflows) is a whole flow; one-way records are paired as IPFIX's are (<see cref="IpfixFlowPairer"/>).
/// nfdump's summary after the records (without -q) is neither read nor rejected.
/// </summary>
public sealed class NfdumpCsvReader : LineRecordReader
{
    /// <summary>The start of nfdump's CSV header, what detection looks for.</summary>
    public const string HeaderStart = "ts,te,td,sa,da,sp,dp,pr,";

    private enum Column { None, Start, End, Source, Destination, SourcePort, DestinationPort, Protocol, Flags, InPackets, InBytes, OutPackets, OutBytes }

    // TCP flags as nfdump prints them, one position per bit: CWR ECE URG ACK PSH RST SYN FIN.
    private const string FlagLetters = "CEUAPRSF";

    private readonly IpfixFlowPairer _pairer;
    private Column[]? _columns;
    private bool _flushed, _summary;

    /// <summary>A reader of <paramref name="text"/>; <paramref name="serverPorts"/> places clients where record times tie.</summary>
    public NfdumpCsvReader(TextReader text, string name, RecordStatistics statistics, IServerPortHint? serverPorts = null)
        : base(text, name, statistics) => _pairer = new IpfixFlowPairer(serverPorts);

    /// <summary>The zone nfdump printed its times in (its TZ), which it does not name: UTC unless the site named its own (<see cref="LogTimeZones.Unnamed"/>).</summary>
    public TimeZoneInfo Zone { get; init; } = TimeZoneInfo.Utc;

    /// <inheritdoc />
    protected override bool TryTakeReady(ref FlowRecord record) => _pairer.TryTake(out record);

    /// <inheritdoc />
    protected override bool TryDrain(ref FlowRecord record)
    {
        if (!_flushed)
        {
            _pairer.Flush();
            _flushed = true;
        }
        return _pairer.TryTake(out record);
    }

    /// <inheritdoc />
    protected override LineOutcome Parse(string line, ref FlowRecord record)
    {
        if (line.StartsWith(HeaderStart, StringComparison.Ordinal)) return Header(line);
        // Without -q, nfdump ends with "Summary", a header of totals and a line of them (which begins with a digit).
        if (line.StartsWith("Summary", StringComparison.Ordinal)) _summary = true;
        if (_summary || line.Length == 0 || !char.IsAsciiDigit(line[0])) return LineOutcome.Ignored;
        if (_columns is null) return Reject("record before nfdump's csv header");
        var text = line.AsSpan();
        long startNs = 0, endNs = 0, inPackets = 0, inBytes = 0, outPackets = 0, outBytes = 0;
        IpAddr source = default, destination = default;
        ushort sourcePort = 0, destinationPort = 0;
        byte protocol = 0, flags = 0;
        int column = 0;
        foreach (var range in text.Split(','))
        {
            if (column >= _columns.Length) break;
            var value = text[range].Trim();
            bool ok = _columns[column++] switch
            {
                Column.Start => TryParseTime(value, out startNs),
                Column.End => TryParseTime(value, out endNs),
                Column.Source => RecordFields.TryParseAddress(value, out source),
                Column.Destination => RecordFields.TryParseAddress(value, out destination),
                Column.SourcePort => TryParsePort(value, out sourcePort),
                Column.DestinationPort => TryParsePort(value, out destinationPort),
                Column.Protocol => NfdumpProtocols.TryParse(value, out protocol),
                Column.Flags => TryParseFlags(value, out flags),
                Column.InPackets => RecordFields.TryParseCount(value, out inPackets),
                Column.InBytes => RecordFields.TryParseCount(value, out inBytes),
                Column.OutPackets => RecordFields.TryParseCount(value, out outPackets),
                Column.OutBytes => RecordFields.TryParseCount(value, out outBytes),
                _ => true,
            };
            if (!ok) return Reject($"column {column} '{RecordFields.Clip(value)}' is not what the header names there");
        }
        if (column < _columns.Length) return Reject($"{column} columns where the header names {_columns.Length}");
        record.Protocol = protocol;
        record.Client = source;
        record.ClientPort = sourcePort;
        record.Server = destination;
        record.ServerPort = destinationPort;
        record.StartNs = startNs;
        record.EndNs = endNs;
        if (record.Protocol is IpProtocol.Icmp or IpProtocol.IcmpV6)
        {
            // nfdump prints ICMP type and code as the destination port "type.code" (read below as type × 256 + code).
            record.IcmpType = (byte)(record.ServerPort >> 8);
            record.IcmpCode = (byte)record.ServerPort;
            record.ClientPort = record.ServerPort = 0;
        }
        record.EndNs = Statistics.EndNotBefore(record.StartNs, record.EndNs);
        record.PacketsToServer = inPackets;
        record.BytesToServer = inBytes;
        record.PacketsToClient = outPackets;
        record.BytesToClient = outBytes;
        record.Evidence = FlowEvidence.PortOnly;
        if (outPackets > 0 || outBytes > 0)
        {
            record.State = IpfixFlowPairer.StateOf(record.Protocol, inPackets, flags, outPackets, 0);
            _pairer.AddWhole(ref record);
        }
        else _pairer.AddOneWay(ref record, flags);
        return LineOutcome.Consumed;
    }

    private LineOutcome Header(string line)
    {
        var columns = new List<Column>();
        foreach (var range in line.AsSpan().Split(',')) columns.Add(ColumnOf(line.AsSpan()[range].Trim()));
        _columns = columns.ToArray();
        _summary = false;
        return LineOutcome.Ignored;
    }

    private static Column ColumnOf(ReadOnlySpan<char> name) => name switch
    {
        "ts" => Column.Start,
        "te" => Column.End,
        "sa" => Column.Source,
        "da" => Column.Destination,
        "sp" => Column.SourcePort,
        "dp" => Column.DestinationPort,
        "pr" => Column.Protocol,
        "flg" => Column.Flags,
        "ipkt" => Column.InPackets,
        "ibyt" => Column.InBytes,
        "opkt" => Column.OutPackets,
        "obyt" => Column.OutBytes,
        _ => Column.None,
    };

    // Made once: a collection expression at the call would build the array for every record.
    private static readonly string[] TimeFormats = ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.fff"];

    // "2026-12-23 02:56:51" or with ".123" milliseconds, on the zone's clock.
    private bool TryParseTime(ReadOnlySpan<char> text, out long nanoseconds)
    {
        nanoseconds = 0;
        return DateTime.TryParseExact(text, TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)
            && UnixTime.TryFromWallTime(time, Zone, out nanoseconds);
    }

    // A port, or ICMP's "type.code".
    private static bool TryParsePort(ReadOnlySpan<char> text, out ushort port)
    {
        int dot = text.IndexOf('.');
        if (dot < 0) return RecordFields.TryParsePort(text, out port);
        port = 0;
        if (!byte.TryParse(text[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out byte type)
            || !byte.TryParse(text[(dot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out byte code))
            return false;
        port = (ushort)(type << 8 | code);
        return true;
    }

    private static bool TryParseFlags(ReadOnlySpan<char> text, out byte flags)
    {
        flags = 0;
        // Older nfdump prints the flags as a number ("0x1b" or decimal) where no letters fit.
        if (text.Length != FlagLetters.Length)
            return byte.TryParse(text.StartsWith("0x") ? text[2..] : text, text.StartsWith("0x") ? NumberStyles.AllowHexSpecifier : NumberStyles.None,
                CultureInfo.InvariantCulture, out flags);
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == FlagLetters[i]) flags |= (byte)(0x80 >> i);
            else if (text[i] != '.') return false;
        }
        return true;
    }
}
