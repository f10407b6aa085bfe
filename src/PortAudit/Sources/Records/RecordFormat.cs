using System.Text;
using PortAudit.Sources.Files;
using PortAudit.Sources.Records.Ipfix;

namespace PortAudit.Sources.Records;

/// <summary>The input formats a run reads, packets and flow records alike.</summary>
public enum RecordFormat
{
    /// <summary>A packet capture: pcap, pcapng, gzip-compressed or not.</summary>
    Capture,
    /// <summary>Zeek conn.log, tab-separated with its # header.</summary>
    ZeekTsv,
    /// <summary>Zeek conn.log as JSON lines.</summary>
    ZeekJson,
    /// <summary>nftables or iptables LOG lines (kernel log, syslog, journal export).</summary>
    Netfilter,
    /// <summary>Cisco ASA, FTD or PIX syslog.</summary>
    CiscoAsa,
    /// <summary>Windows Defender Firewall's pfirewall.log.</summary>
    WindowsFirewall,
    /// <summary>IPFIX (RFC 7011 messages, RFC 5655 files) NetFlow v9 (RFC 3954) or NetFlow v5 export packets, back to back.</summary>
    Ipfix,
    /// <summary>nfdump's CSV output (<c>nfdump -r FILE -o csv</c>): how nfcapd's files are read.</summary>
    NfdumpCsv,
    /// <summary>Parquet: PortAudit's own flows.parquet, or a Zeek conn.log written to Parquet with Zeek's column names.</summary>
    Parquet,
}

/// <summary>Names of the formats for --input-format, and detection by content.</summary>
public static class RecordFormats
{
    /// <summary>Bytes of an input's head that detection looks at.</summary>
    public const int HeadLength = 8192;

    private static readonly (string Name, RecordFormat Format)[] Names =
    [
        ("pcap", RecordFormat.Capture), ("zeek", RecordFormat.ZeekTsv), ("zeek-json", RecordFormat.ZeekJson),
        ("netfilter", RecordFormat.Netfilter), ("asa", RecordFormat.CiscoAsa), ("pfirewall", RecordFormat.WindowsFirewall),
        ("ipfix", RecordFormat.Ipfix), ("netflow", RecordFormat.Ipfix), ("nfdump-csv", RecordFormat.NfdumpCsv),
        ("parquet", RecordFormat.Parquet),
    ];

    /// <summary>The names --input-format accepts.</summary>
    public static IReadOnlyList<string> AllNames { get; } = Names.Select(n => n.Name).ToArray();

    /// <summary>The format named <paramref name="name"/> (pcap, zeek, zeek-json, netfilter, asa, pfirewall, ipfix, netflow, nfdump-csv, parquet).</summary>
    public static bool TryParse(string name, out RecordFormat format)
    {
        foreach (var (n, f) in Names)
            if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase)) { format = f; return true; }
        format = default;
        return false;
    }

    /// <summary>
    /// The format of an input whose first bytes are <paramref name="head"/>, or null when none is recognised (the
    /// capture reader then says what the magic bytes were). Binary magic first; then the first lines of text.
    /// </summary>
    public static RecordFormat? Detect(ReadOnlySpan<byte> head)
    {
        if (CaptureFile.IsCaptureMagic(head)) return RecordFormat.Capture;
        if (IpfixMessage.LooksLikeExport(head)) return RecordFormat.Ipfix;
        // A Parquet file starts (and ends) with "PAR1".
        if (head.StartsWith("PAR1"u8)) return RecordFormat.Parquet;
        // Text formats: look at whole lines only, so that a cut multi-byte character or line decides nothing.
        int end = head.LastIndexOf((byte)'\n');
        var text = Encoding.UTF8.GetString(end < 0 ? head : head[..end]);
        int lines = 0;
        foreach (var raw in text.AsSpan().EnumerateLines())
        {
            var line = raw.Trim();
            if (line.IsEmpty) continue;
            if (line.StartsWith("#separator") || line.StartsWith("#fields\t")) return RecordFormat.ZeekTsv;
            if (line.StartsWith(NfdumpCsvReader.HeaderStart, StringComparison.Ordinal)) return RecordFormat.NfdumpCsv;
            if (line.StartsWith("#Software: Microsoft Windows Firewall") || line.StartsWith("#Fields: date time action"))
                return RecordFormat.WindowsFirewall;
            if (line[0] == '{' && (line.Contains("\"id.orig_h\"", StringComparison.Ordinal) || line.Contains("\"uid\"", StringComparison.Ordinal)))
                return RecordFormat.ZeekJson;
            if (line.Contains("%ASA-", StringComparison.Ordinal) || line.Contains("%FTD-", StringComparison.Ordinal)
                || line.Contains("%PIX-", StringComparison.Ordinal))
                return RecordFormat.CiscoAsa;
            if (line.Contains(" SRC=", StringComparison.Ordinal) && line.Contains(" DST=", StringComparison.Ordinal)
                && line.Contains("PROTO=", StringComparison.Ordinal))
                return RecordFormat.Netfilter;
            if (++lines == 64) break;
        }
        return null;
    }
}
