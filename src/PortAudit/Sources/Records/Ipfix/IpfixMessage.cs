using System.Buffers.Binary;

namespace PortAudit.Sources.Records.Ipfix;

/// <summary>
/// The headers of IPFIX (RFC 7011 §3.1, version 10), NetFlow v9 (RFC 3954 §5.1) and NetFlow v5 export packets: what a
/// reader needs to find the sets (v5: its fixed records) and to key templates by exporter and observation domain.
/// </summary>
public readonly ref struct IpfixMessage
{
    /// <summary>IPFIX's version number.</summary>
    public const ushort IpfixVersion = 10;
    /// <summary>NetFlow v9's version number.</summary>
    public const ushort NetFlowV9Version = 9;
    /// <summary>NetFlow v5's version number.</summary>
    public const ushort NetFlowV5Version = 5;
    /// <summary>Length of an IPFIX message header.</summary>
    public const int IpfixHeaderLength = 16;
    /// <summary>Length of a NetFlow v9 packet header.</summary>
    public const int NetFlowV9HeaderLength = 20;
    /// <summary>Length of a NetFlow v5 packet header.</summary>
    public const int NetFlowV5HeaderLength = 24;
    /// <summary>Length of a NetFlow v5 flow record.</summary>
    public const int NetFlowV5RecordLength = 48;
    // Cisco's limit of records in one v5 datagram: a larger count is not a v5 header.
    private const int NetFlowV5MaxRecords = 30;

    // A v5 header's residual nanoseconds below this are a fraction of its second; more is no fraction.
    private const uint NanosecondsPerSecond = 1_000_000_000;

    private IpfixMessage(ushort version, ReadOnlySpan<byte> sets, uint exportSeconds, uint domain, uint uptimeMs, int length,
        uint exportNanoseconds = 0)
    {
        Version = version;
        Sets = sets;
        ExportSeconds = exportSeconds;
        ExportNanoseconds = exportNanoseconds < NanosecondsPerSecond ? exportNanoseconds : 0;
        Domain = domain;
        SystemUptimeMs = uptimeMs;
        Length = length;
    }

    /// <summary>5, 9 or 10.</summary>
    public ushort Version { get; }

    /// <summary>The sets (flowsets) after the header; for v5, its records.</summary>
    public ReadOnlySpan<byte> Sets { get; }

    /// <summary>Export time, seconds since the epoch.</summary>
    public uint ExportSeconds { get; }

    /// <summary>
    /// The export time's nanoseconds past <see cref="ExportSeconds"/>: NetFlow v5's unix_nsecs (0 for IPFIX and v9,
    /// whose headers hold whole seconds, and for a v5 value of a second or more, which is no residual).
    /// </summary>
    public uint ExportNanoseconds { get; }

    /// <summary>The export time in nanoseconds since the epoch.</summary>
    public long ExportNs => ExportSeconds * 1_000_000_000L + ExportNanoseconds;

    /// <summary>Observation domain (IPFIX), source id (v9) or engine type and id (v5): with the exporter, the scope of template ids.</summary>
    public uint Domain { get; }

    /// <summary>NetFlow's sysUptime at export, milliseconds: its flow times are relative to it; 0 for IPFIX.</summary>
    public uint SystemUptimeMs { get; }

    /// <summary>Bytes the message occupies in its input (a v9 packet has no length field: the rest of the datagram).</summary>
    public int Length { get; }

    /// <summary>True for NetFlow (v5, v9): flow times are sysUptime milliseconds, placed by the header's uptime and export time.</summary>
    public bool UptimeClock => Version != IpfixVersion;

    /// <summary>Bytes of this message's header.</summary>
    public int HeaderLength => Version switch
    {
        IpfixVersion => IpfixHeaderLength,
        NetFlowV9Version => NetFlowV9HeaderLength,
        _ => NetFlowV5HeaderLength,
    };

    /// <summary>
    /// Reads the header at the start of <paramref name="data"/>: an IPFIX message by its length field, a v9 packet as
    /// the whole of <paramref name="data"/> when <paramref name="datagram"/> (a v9 header has no length).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> data, bool datagram, out IpfixMessage message, out string? problem)
    {
        message = default;
        problem = null;
        if (data.Length < 4) { problem = "truncated header"; return false; }
        ushort version = BinaryPrimitives.ReadUInt16BigEndian(data);
        if (version == IpfixVersion)
        {
            if (data.Length < IpfixHeaderLength) { problem = "truncated IPFIX header"; return false; }
            int length = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
            if (length < IpfixHeaderLength) { problem = $"IPFIX message length {length} is shorter than its header"; return false; }
            if (length > data.Length) { problem = $"IPFIX message of {length} bytes cut at {data.Length}"; return false; }
            message = new IpfixMessage(version, data[IpfixHeaderLength..length], BinaryPrimitives.ReadUInt32BigEndian(data[4..]),
                BinaryPrimitives.ReadUInt32BigEndian(data[12..]), 0, length);
            return true;
        }
        if (version == NetFlowV9Version)
        {
            if (data.Length < NetFlowV9HeaderLength) { problem = "truncated NetFlow v9 header"; return false; }
            // Without a length field, a v9 packet in a file runs to its last flowset: walk them.
            int length = datagram ? data.Length : V9Length(data);
            message = new IpfixMessage(version, data[NetFlowV9HeaderLength..length], BinaryPrimitives.ReadUInt32BigEndian(data[8..]),
                BinaryPrimitives.ReadUInt32BigEndian(data[16..]), BinaryPrimitives.ReadUInt32BigEndian(data[4..]), length);
            return true;
        }
        if (version == NetFlowV5Version)
        {
            if (data.Length < NetFlowV5HeaderLength) { problem = "truncated NetFlow v5 header"; return false; }
            int count = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
            int length = NetFlowV5HeaderLength + count * NetFlowV5RecordLength;
            if (count > NetFlowV5MaxRecords) { problem = $"NetFlow v5 count {count} is more than {NetFlowV5MaxRecords} records"; return false; }
            if (length > data.Length) { problem = $"NetFlow v5 packet of {count} records cut at {data.Length} bytes"; return false; }
            // unix_secs, then unix_nsecs: the export time to the nanosecond, where v9 and IPFIX give the second.
            message = new IpfixMessage(version, data[NetFlowV5HeaderLength..length], BinaryPrimitives.ReadUInt32BigEndian(data[8..]),
                BinaryPrimitives.ReadUInt16BigEndian(data[20..]), BinaryPrimitives.ReadUInt32BigEndian(data[4..]), length,
                BinaryPrimitives.ReadUInt32BigEndian(data[12..]));
            return true;
        }
        problem = $"version {version} is neither IPFIX (10) nor NetFlow v9 (9) or v5 (5)";
        return false;
    }

    // The v9 count field is unreliable across exporters (records or flowsets); a flowset id below 256 other than 0 and 1
    // or a length that does not fit ends the packet.
    private static int V9Length(ReadOnlySpan<byte> data)
    {
        int offset = NetFlowV9HeaderLength;
        while (offset + 4 <= data.Length)
        {
            ushort id = BinaryPrimitives.ReadUInt16BigEndian(data[offset..]);
            int length = BinaryPrimitives.ReadUInt16BigEndian(data[(offset + 2)..]);
            if ((id is > 1 and < 256) || length < 4 || offset + length > data.Length) break;
            offset += length;
        }
        return offset;
    }

    /// <summary>
    /// True when <paramref name="head"/> begins with an IPFIX or NetFlow v9 header followed by a plausible set, or a
    /// NetFlow v5 header whose records fit.
    /// </summary>
    public static bool LooksLikeExport(ReadOnlySpan<byte> head)
    {
        if (head.Length < NetFlowV9HeaderLength + 4) return false;
        ushort version = BinaryPrimitives.ReadUInt16BigEndian(head);
        if (version == NetFlowV5Version)
        {
            int count = BinaryPrimitives.ReadUInt16BigEndian(head[2..]);
            return count is > 0 and <= NetFlowV5MaxRecords && NetFlowV5HeaderLength + count * NetFlowV5RecordLength <= head.Length;
        }
        int setOffset = version == IpfixVersion ? IpfixHeaderLength : version == NetFlowV9Version ? NetFlowV9HeaderLength : -1;
        if (setOffset < 0) return false;
        if (version == IpfixVersion && BinaryPrimitives.ReadUInt16BigEndian(head[2..]) < IpfixHeaderLength + 4) return false;
        ushort setId = BinaryPrimitives.ReadUInt16BigEndian(head[setOffset..]);
        int setLength = BinaryPrimitives.ReadUInt16BigEndian(head[(setOffset + 2)..]);
        bool knownSet = version == IpfixVersion ? setId is 2 or 3 or >= 256 : setId is 0 or 1 or >= 256;
        return knownSet && setLength >= 4;
    }
}
