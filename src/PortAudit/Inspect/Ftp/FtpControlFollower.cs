using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect.Protocols;

namespace PortAudit.Inspect.Ftp;

/// <summary>
/// Reads an FTP control connection past its greeting, line by line, for the data connections it announces
/// (RFC 959 PORT and 227, RFC 2428 EPRT and 229) and for AUTH TLS (RFC 4217), after which the connection is TLS: the
/// server's hello after its reply gives the version it chose (<see cref="StartTls"/>), and nothing more can be read.
/// Bounded in lines and in line length.
/// </summary>
public sealed class FtpControlFollower : IFlowFollower
{
    /// <summary>Lines read per control connection, both ways; past it the connection is let go.</summary>
    public const int MaxLines = 1024;

    private const int MaxLine = 512;
    private readonly AnnouncedConnections _announced;
    private int _lines;
    private bool _done, _tlsAsked;

    private FtpControlFollower(AnnouncedConnections announced) => _announced = announced;

    /// <summary>A follower for <paramref name="flow"/> when it is an FTP control connection, else null.</summary>
    public static IFlowFollower? For(Flow flow, AnnouncedConnections announced) =>
        flow.App == AppLabel.Ftp && flow.Protocol == IpProtocol.Tcp ? new FtpControlFollower(announced) : null;

    /// <inheritdoc />
    public bool Finished => _done || _lines >= MaxLines;

    /// <inheritdoc />
    public void OnStream(Flow flow, bool fromClient, DirectionStream stream)
    {
        while (!Finished)
        {
            var data = stream.Data;
            if (_tlsAsked)
            {
                if (fromClient)
                {
                    // The client's TLS: nothing of it is read.
                    stream.Consume(data.Length);
                    return;
                }
                if (StartTls.StartsHandshake(data))
                {
                    if (StartTls.ReadServerHello(flow, data, last: data.Length >= TlsHandshakeMessage.MaxLength) != TlsHandshakeMessage.State.NeedMore || data.Length >= TlsHandshakeMessage.MaxLength)
                        _done = true;
                    return;
                }
            }
            int end = data.IndexOf((byte)'\n');
            if (end < 0)
            {
                // A line longer than any FTP command or reply: this is no longer FTP's text.
                if (data.Length > MaxLine) _done = true;
                return;
            }
            _lines++;
            var line = data[..end].TrimEnd((byte)'\r');
            if (fromClient) OnCommand(flow, line);
            else OnReply(flow, line);
            stream.Consume(end + 1);
        }
    }

    /// <inheritdoc />
    public void OnDatagram(Flow flow, bool fromClient, ReadOnlySpan<byte> datagram) { }

    private void OnCommand(Flow flow, ReadOnlySpan<byte> line)
    {
        if (AsciiText.StartsWithIgnoreCase(line, "PORT "u8) && TryHostPort(line[5..], out var address, out ushort port))
            Announce(flow, address, port, "port");
        else if (AsciiText.StartsWithIgnoreCase(line, "EPRT "u8) && TryExtended(line[5..], out address, out port, out bool hasAddress) && hasAddress)
            Announce(flow, address, port, "eprt");
        else if (AsciiText.StartsWithIgnoreCase(line, "AUTH "u8))
        {
            flow.AppDetail = AppDetail.Word(DetailKeys.StartTls);
            _tlsAsked = true;
        }
    }

    private void OnReply(Flow flow, ReadOnlySpan<byte> line)
    {
        // AUTH refused (RFC 4217 4: 431, 504, 534...): the connection goes on in clear text, its commands read as before.
        if (_tlsAsked && line.Length > 0 && line[0] is (byte)'4' or (byte)'5') _tlsAsked = false;
        else if (line.StartsWith("227"u8))
        {
            // The six numbers follow the text, in parentheses or not (RFC 1123 4.1.2.6).
            int first = line[3..].IndexOfAnyInRange((byte)'0', (byte)'9');
            if (first >= 0 && TryHostPort(line[(3 + first)..], out var address, out ushort port)) Announce(flow, address, port, "pasv");
        }
        else if (line.StartsWith("229"u8))
        {
            int open = line.IndexOf((byte)'(');
            if (open >= 0 && TryExtended(line[(open + 1)..], out _, out ushort port, out _)) Announce(flow, flow.Server, port, "epsv");
        }
    }

    private void Announce(Flow flow, IpAddr address, ushort port, string command)
    {
        if (port == 0) return;
        _announced.Announce(address, port, IpProtocol.Tcp, new FtpDataAnnouncement(flow.EndNs, command, flow));
    }

    // h1,h2,h3,h4,p1,p2
    private static bool TryHostPort(ReadOnlySpan<byte> text, out IpAddr address, out ushort port)
    {
        address = default;
        port = 0;
        Span<byte> parts = stackalloc byte[6];
        int at = 0;
        for (int i = 0; i < 6; i++)
        {
            int value = 0, digits = 0;
            while (at < text.Length && text[at] is >= (byte)'0' and <= (byte)'9' && digits < 4)
            {
                value = value * 10 + text[at++] - '0';
                digits++;
            }
            if (digits == 0 || value > 255) return false;
            parts[i] = (byte)value;
            if (i < 5 && (at >= text.Length || text[at++] != ',')) return false;
        }
        address = IpAddr.FromV4(parts[..4]);
        port = (ushort)(parts[4] << 8 | parts[5]);
        return true;
    }

    // <d>proto<d>address<d>port<d> with any delimiter; EPSV's answer leaves protocol and address empty.
    private static bool TryExtended(ReadOnlySpan<byte> text, out IpAddr address, out ushort port, out bool hasAddress)
    {
        address = default;
        port = 0;
        hasAddress = false;
        if (text.Length < 4) return false;
        byte d = text[0];
        var rest = text[1..];
        int a = rest.IndexOf(d);
        if (a < 0) return false;
        var afterProto = rest[(a + 1)..];
        int b = afterProto.IndexOf(d);
        if (b < 0) return false;
        var host = afterProto[..b];
        var afterHost = afterProto[(b + 1)..];
        int c = afterHost.IndexOf(d);
        if (c <= 0 || !EndpointText.TryParsePort(afterHost[..c], out port)) return false;
        if (host.IsEmpty || host.Length > 45) return true;
        if (!EndpointText.TryParseAddress(host, out address)) return false;
        hasAddress = true;
        return true;
    }
}
