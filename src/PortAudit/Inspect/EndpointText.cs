using System.Net;
using PortAudit.Common;
using PortAudit.Decode;

namespace PortAudit.Inspect;

/// <summary>
/// Addresses and endpoints as the text protocols that announce connections write them (FTP's EPRT, SDP's c= line),
/// and as announced flows name the flow that announced them in their appDetail.
/// </summary>
public static class EndpointText
{
    /// <summary>"address:port", with the IPv6 address in brackets.</summary>
    public static string Format(IpAddr address, ushort port) => address.IsV4 ? $"{address}:{port}" : $"[{address}]:{port}";

    /// <summary>Reads an IPv4 or IPv6 address written in ASCII; false for anything else (a host name).</summary>
    public static bool TryParseAddress(ReadOnlySpan<byte> text, out IpAddr address)
    {
        address = default;
        if (text.IsEmpty || text.Length > IpAddr.MaxTextLength) return false;
        Span<char> chars = stackalloc char[text.Length];
        for (int i = 0; i < text.Length; i++) chars[i] = (char)text[i];
        if (!IPAddress.TryParse(chars, out var parsed)) return false;
        address = IpAddr.From(parsed);
        return true;
    }

    /// <summary>Reads a decimal port 1-65535 written in ASCII.</summary>
    public static bool TryParsePort(ReadOnlySpan<byte> text, out ushort port)
    {
        port = 0;
        if (text.IsEmpty || text.Length > 5) return false;
        int value = 0;
        foreach (byte digit in text)
        {
            if (digit is < (byte)'0' or > (byte)'9') return false;
            value = value * 10 + digit - '0';
        }
        if (value is 0 or > 65535) return false;
        port = (ushort)value;
        return true;
    }
}
