using System.Buffers.Binary;
using System.Net;

namespace PortAudit.Tests.Builders;

/// <summary>NetFlow v5 packets (24-byte header, 48-byte records), for the tests of their times and of pairing.</summary>
internal static class NetFlowV5Packets
{
    /// <summary>Export time of the packets built here unless a test says otherwise (2023-11-14T22:13:20Z).</summary>
    public const uint ExportSeconds = 1_700_000_000;

    /// <summary>
    /// A packet exported at <paramref name="seconds"/> and <paramref name="nanoseconds"/> (unix_secs, unix_nsecs) when
    /// the exporter's uptime was <paramref name="uptimeMs"/>, holding <paramref name="records"/>.
    /// </summary>
    public static byte[] Packet(uint uptimeMs, uint seconds, uint nanoseconds, params byte[][] records)
    {
        var header = new byte[24];
        BinaryPrimitives.WriteUInt16BigEndian(header, 5);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), (ushort)records.Length);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), uptimeMs);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(8), seconds);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(12), nanoseconds);
        return [.. header, .. records.SelectMany(r => r)];
    }

    /// <summary>
    /// A UDP record from <paramref name="source"/> to <paramref name="destination"/> of one packet of
    /// <paramref name="octets"/> bytes, first and last switched at <paramref name="firstMs"/> and <paramref name="lastMs"/>
    /// of the exporter's uptime.
    /// </summary>
    public static byte[] Udp(string source, ushort sourcePort, string destination, ushort destinationPort, uint octets, uint firstMs, uint lastMs)
    {
        var record = new byte[48];
        IPAddress.Parse(source).GetAddressBytes().CopyTo(record, 0);
        IPAddress.Parse(destination).GetAddressBytes().CopyTo(record, 4);
        BinaryPrimitives.WriteUInt32BigEndian(record.AsSpan(16), 1);
        BinaryPrimitives.WriteUInt32BigEndian(record.AsSpan(20), octets);
        BinaryPrimitives.WriteUInt32BigEndian(record.AsSpan(24), firstMs);
        BinaryPrimitives.WriteUInt32BigEndian(record.AsSpan(28), lastMs);
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(32), sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(34), destinationPort);
        record[38] = 17;
        return record;
    }
}
