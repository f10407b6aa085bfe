using System.Buffers.Binary;
using PortAudit.Common;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect;

/// <summary>
/// The PROXY protocol header (HAProxy's proxy-protocol.txt, versions 1 and 2) that a load balancer sends first on a
/// connection to its backend, naming the client it accepted the connection from: the text line
/// <c>PROXY TCP4 192.0.2.7 198.51.100.1 51234 443\r\n</c>, or the binary header that starts with
/// <c>\r\n\r\n\0\r\nQUIT\n</c>. What follows it is the client's own protocol (a TLS ClientHello), so inspection reads the
/// stream after it, and the source it claims joins the flow's appDetail as <c>proxy-source=192.0.2.7:51234</c>
/// (<c>unknown</c> for v1's UNKNOWN or a v2 address family it does not name, <c>local</c> for v2's LOCAL command: the
/// proxy's own connection, a health check).
/// </summary>
public static class ProxyProtocolHeader
{
    /// <summary>The key of the appDetail part that holds the claimed source.</summary>
    public const string DetailKey = "proxy-source";

    /// <summary>Most bytes of a version 1 line, its CR LF included (the specification's bound).</summary>
    public const int MaxV1Length = 107;

    private const int V2FixedLength = 16;
    private static ReadOnlySpan<byte> V1Start => "PROXY "u8;
    private static ReadOnlySpan<byte> V2Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    /// <summary>
    /// The length of the header <paramref name="data"/> starts with (a version 2 header's may pass the bytes held: the
    /// stream skips the rest as it comes); 0 while <paramref name="data"/> may still become one; -1 when it is none,
    /// or one that breaks the documented format (a proxy rejects those, and so it is read as no header).
    /// </summary>
    public static int Measure(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) return 0;
        if (data[0] == (byte)'P') return MeasureV1(data);
        if (data[0] != 0x0D) return -1;
        int compared = Math.Min(data.Length, V2Signature.Length);
        if (!data[..compared].SequenceEqual(V2Signature[..compared])) return -1;
        if (data.Length < V2FixedLength) return 0;
        // Version 2, command LOCAL (0) or PROXY (1); the family byte is read by Source.
        if (data[12] is not (0x20 or 0x21)) return -1;
        int addresses = V2FixedLength + AddressLength(data[13]);
        int length = V2FixedLength + BinaryPrimitives.ReadUInt16BigEndian(data[14..]);
        if (length < addresses) return -1;
        // The address block is awaited (Source reads it); TLVs after it may pass the bytes held.
        return data.Length < addresses ? 0 : length;
    }

    /// <summary>The appDetail part that names the source <paramref name="header"/> (whole, as <see cref="Measure"/> gave its length, or at least its fixed part) claims.</summary>
    public static DetailPart Source(ReadOnlySpan<byte> header)
    {
        if (header[0] == (byte)'P')
        {
            // Measured: "PROXY TCP4 src dst sport dport\r\n", or UNKNOWN and anything up to the CR LF.
            var fields = header[V1Start.Length..header.IndexOf((byte)'\r')];
            if (fields.StartsWith("UNKNOWN"u8)) return new DetailPart(DetailKey, "unknown");
            Span<Range> parts = stackalloc Range[5];
            Split(fields, parts);
            EndpointText.TryParseAddress(fields[parts[1]], out var v1Address);
            EndpointText.TryParsePort(fields[parts[3]], out ushort v1Port);
            return new DetailPart(DetailKey, EndpointText.Format(v1Address, v1Port));
        }
        if (header[12] == 0x20) return new DetailPart(DetailKey, "local");
        var addresses = header[V2FixedLength..];
        // Measured: the address block its family needs is there.
        return (header[13] >> 4) switch
        {
            1 => new DetailPart(DetailKey, EndpointText.Format(IpAddr.FromV4(addresses[..4]), BinaryPrimitives.ReadUInt16BigEndian(addresses[8..]))),
            2 => new DetailPart(DetailKey, EndpointText.Format(IpAddr.FromV6(addresses[..16]), BinaryPrimitives.ReadUInt16BigEndian(addresses[32..]))),
            _ => new DetailPart(DetailKey, "unknown"),
        };
    }

    private static int MeasureV1(ReadOnlySpan<byte> data)
    {
        int compared = Math.Min(data.Length, V1Start.Length);
        if (!data[..compared].SequenceEqual(V1Start[..compared])) return -1;
        int end = data[..Math.Min(data.Length, MaxV1Length)].IndexOf("\r\n"u8);
        if (end < 0) return data.Length < MaxV1Length ? 0 : -1;
        var fields = data[V1Start.Length..end];
        if (fields.StartsWith("UNKNOWN"u8)) return end + 2;
        Span<Range> parts = stackalloc Range[5];
        // TCP4 or TCP6, then the source and destination addresses and ports, one space apart.
        if (!Split(fields, parts)) return -1;
        var family = fields[parts[0]];
        bool v4 = family.SequenceEqual("TCP4"u8);
        if (!v4 && !family.SequenceEqual("TCP6"u8)) return -1;
        for (int i = 1; i <= 2; i++)
            if (!EndpointText.TryParseAddress(fields[parts[i]], out var address) || address.IsV4 != v4) return -1;
        for (int i = 3; i <= 4; i++)
            if (!EndpointText.TryParsePort(fields[parts[i]], out _)) return -1;
        return end + 2;
    }

    // The fields of a v1 line, one space apart: true when there are exactly as many as <paramref name="parts"/> holds.
    private static bool Split(ReadOnlySpan<byte> fields, Span<Range> parts)
    {
        int start = 0;
        for (int i = 0; i < parts.Length; i++)
        {
            int space = fields[start..].IndexOf((byte)' ');
            int end = space < 0 ? fields.Length : start + space;
            parts[i] = start..end;
            if (space < 0) return i == parts.Length - 1;
            start = end + 1;
        }
        return false;
    }

    // The address block a v2 family and transport byte needs: IPv4 12 bytes, IPv6 36, a UNIX socket's 216, UNSPEC none.
    private static int AddressLength(byte family) => (family >> 4) switch
    {
        1 => 12,
        2 => 36,
        3 => 216,
        _ => 0,
    };
}
