using PortAudit.Common;
using PortAudit.Decode;

namespace PortAudit.Inspect.Sip;

/// <summary>
/// One ICE candidate of a media description (RFC 8839 5.1 <c>a=candidate</c>, with RFC 6544's tcptype): an address and
/// port where the agent may send or receive this component's media, besides the c=/m= default.
/// </summary>
public readonly ref struct SdpCandidate
{
    internal SdpCandidate(int component, byte transport, IpAddr address, ushort port, ReadOnlySpan<byte> type, ReadOnlySpan<byte> tcpType)
    {
        Component = component;
        Transport = transport;
        Address = address;
        Port = port;
        Type = type;
        TcpType = tcpType;
    }

    /// <summary>The component: 1 for RTP, 2 for RTCP (RFC 8445 4.1.1.1).</summary>
    public int Component { get; }

    /// <summary>The transport, <see cref="IpProtocol.Udp"/> or <see cref="IpProtocol.Tcp"/>.</summary>
    public byte Transport { get; }

    /// <summary>The candidate's connection address.</summary>
    public IpAddr Address { get; }

    /// <summary>The candidate's port.</summary>
    public ushort Port { get; }

    /// <summary>The candidate type: <c>host</c>, <c>srflx</c>, <c>prflx</c> or <c>relay</c>.</summary>
    public ReadOnlySpan<byte> Type { get; }

    /// <summary>For a TCP candidate, <c>active</c>, <c>passive</c> or <c>so</c> (RFC 6544 4.5); empty for UDP.</summary>
    public ReadOnlySpan<byte> TcpType { get; }

    /// <summary>
    /// True when a connection may come to this candidate's address and port: UDP, or TCP passive and simultaneous-open. An
    /// active TCP candidate only connects out, from a port it does not announce (RFC 6544 writes 9).
    /// </summary>
    public bool Receives => Transport == IpProtocol.Udp || !TcpType.SequenceEqual("active"u8);

    /// <summary>
    /// Reads the value of an <c>a=candidate:</c> attribute (the text after the colon):
    /// <c>foundation component transport priority address port typ type [raddr a] [rport p] [tcptype t] *(name value)</c>.
    /// Microsoft's MS-ICE2 transports <c>TCP-PASS</c> and <c>TCP-ACT</c> are read as passive and active TCP. False when a
    /// field is missing or malformed, or when the address is a name (RFC 8839 allows an FQDN; browsers hide theirs behind
    /// mDNS <c>.local</c> names): no address to expect a connection at.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> value, out SdpCandidate candidate)
    {
        candidate = default;
        var fields = new FieldReader(value);
        if (!fields.TryNext(out var foundation) || foundation.Length > 32
            || !fields.TryNext(out var componentText) || !TryParseComponent(componentText, out int component)
            || !fields.TryNext(out var transportText) || !TryParseTransport(transportText, out byte transport, out var tcpType)
            || !fields.TryNext(out var priority) || priority.Length > 10 || priority.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0
            || !fields.TryNext(out var addressText) || !EndpointText.TryParseAddress(addressText, out var address)
            || !fields.TryNext(out var portText) || !EndpointText.TryParsePort(portText, out ushort port)
            || !fields.TryNext(out var typ) || !typ.SequenceEqual("typ"u8)
            || !fields.TryNext(out var type) || type.Length > 16)
            return false;
        // Extensions come as name and value pairs (RFC 8839 5.1 extension-att-name/value): raddr, rport, tcptype...
        while (fields.TryNext(out var name))
        {
            if (!fields.TryNext(out var extension)) break;
            if (transport == IpProtocol.Tcp && name.SequenceEqual("tcptype"u8) && extension.Length <= 8) tcpType = extension;
        }
        candidate = new SdpCandidate(component, transport, address, port, type, tcpType);
        return true;
    }

    private static bool TryParseComponent(ReadOnlySpan<byte> text, out int component)
    {
        component = 0;
        if (text.IsEmpty || text.Length > 3) return false;
        foreach (byte digit in text)
        {
            if (digit is < (byte)'0' or > (byte)'9') return false;
            component = component * 10 + digit - '0';
        }
        return component is >= 1 and <= 256;
    }

    // UDP, TCP (RFC 6544), and MS-ICE2's TCP-PASS / TCP-ACT; compared without case (RFC 8839's transport is a token).
    private static bool TryParseTransport(ReadOnlySpan<byte> text, out byte transport, out ReadOnlySpan<byte> tcpType)
    {
        tcpType = default;
        transport = IpProtocol.Udp;
        if (System.Text.Ascii.EqualsIgnoreCase(text, "UDP"u8)) return true;
        transport = IpProtocol.Tcp;
        if (System.Text.Ascii.EqualsIgnoreCase(text, "TCP"u8)) return true;
        if (System.Text.Ascii.EqualsIgnoreCase(text, "TCP-PASS"u8)) tcpType = "passive"u8;
        else if (System.Text.Ascii.EqualsIgnoreCase(text, "TCP-ACT"u8)) tcpType = "active"u8;
        return !tcpType.IsEmpty;
    }

    // Fields of one attribute value, separated by one or more spaces.
    private ref struct FieldReader(ReadOnlySpan<byte> text)
    {
        private ReadOnlySpan<byte> _rest = text;

        public bool TryNext(out ReadOnlySpan<byte> field)
        {
            _rest = _rest.TrimStart((byte)' ');
            int end = _rest.IndexOf((byte)' ');
            field = end < 0 ? _rest : _rest[..end];
            _rest = end < 0 ? default : _rest[end..];
            return !field.IsEmpty;
        }
    }
}

/// <summary>
/// Reads the ICE candidates of one media description's attribute lines, one <see cref="SdpCandidate"/> at a time,
/// without allocating; lines that are no candidate, or a candidate that does not read, are skipped.
/// </summary>
public ref struct SdpCandidateReader
{
    private ReadOnlySpan<byte> _rest;

    /// <summary>A reader over <paramref name="section"/>, the lines after one m= line up to the next.</summary>
    public SdpCandidateReader(ReadOnlySpan<byte> section) => _rest = section;

    /// <summary>The next candidate; false at the section's end.</summary>
    public bool TryReadNext(out SdpCandidate candidate)
    {
        while (SdpReader.TryPeekLine(_rest, out var line, out int next))
        {
            _rest = _rest[next..];
            if (line.StartsWith("a=candidate:"u8) && SdpCandidate.TryParse(line["a=candidate:"u8.Length..], out candidate))
                return true;
        }
        candidate = default;
        return false;
    }
}
