using System.Buffers.Binary;
using PortAudit.Common;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// SOCKS on any TCP port, a proxy that carries whatever its client asks through the port it listens on. Version 5
/// (RFC 1928): the client's greeting (version 5, the count of methods, the methods) answered by the server's choice of
/// one of them, or of none (0xFF); then, with no authentication or after a username and password (RFC 1929), the
/// client's request: connect, bind or UDP associate to an IPv4 or IPv6 address or a domain name. Versions 4 and 4a:
/// the client's request (version 4, connect or bind, port, IPv4 address, user ID; 4a: the address 0.0.0.x and a domain
/// name after the user ID) answered by the server's 8-byte reply (version 0, codes 90 to 93). The server's answer tying
/// the client's opening claims the flow; the request, read when the client's side shows it, names the destination.
/// appDetail: <c>version=5; auth=none; connect=pastebin.com:443</c>, <c>version=4; reply=granted; connect=192.0.2.7:22</c>.
/// The user ID and password are never kept.
/// </summary>
public sealed class SocksInspector() : Inspector(new(AppLabel.Socks, Tcp, [1080], InspectorPrecision.Signature, 270) { UsesScratch = true, Depth = ProbeDepth.Exchange })
{
    private const byte Version4 = 4, Version5 = 5, Version4Reply = 0, PasswordVersion = 1;
    private const byte NoAuthentication = 0, Gssapi = 1, UsernamePassword = 2, NoAcceptable = 0xFF;
    private const byte Connect = 1, Bind = 2, UdpAssociate = 3;
    private const byte AddressIpv4 = 1, AddressDomain = 3, AddressIpv6 = 4;
    // Version 4: the command at 1, the port at 2, the IPv4 address at 4, the user ID from 8 to its NUL; the reply is 8 bytes.
    private const int Socks4PortAt = 2, Socks4AddressAt = 4, Socks4UserAt = 8, Socks4ReplyLength = 8;
    private const byte Granted = 90, LastReplyCode = 93;
    // A user ID, a domain name, a username or a password: at most 255 bytes each (a length byte, or a bound for the NUL).
    private const int MaxName = 255;

    // Scratch: the methods a version-5 client offered (bit m for method m below 48, bit 48 for any above), the method the
    // server chose (8 bits from 49), whether the server answered (bit 57), the version (4 or 5, from bit 58).
    private const ulong OtherMethod = 1UL << 48, Answered = 1UL << 57;
    private const int ChosenShift = 49, VersionShift = 58;
    private const ulong OfferedMask = (1UL << 49) - 1;

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (!input.IsTcp || data.IsEmpty) return InspectResult.NoMatch;
        if (!input.FromClient) return Answer(ref input);
        return data[0] switch
        {
            Version5 => Greeting(ref input),
            Version4 => Socks4Request(ref input),
            _ => InspectResult.NoMatch,
        };
    }

    // The client's side of version 5: its greeting, then (once the server chose) its authentication and request.
    private static InspectResult Greeting(ref InspectionInput input)
    {
        var data = input.Data;
        if (data.Length < 2) return Wait(ref input);
        int count = data[1];
        if (count == 0) return InspectResult.NoMatch;
        if (data.Length < 2 + count) return Wait(ref input);
        ulong offered = 0;
        foreach (byte method in data.Slice(2, count)) offered |= MethodBit(method);
        input.Scratch = (input.Scratch & ~OfferedMask) | offered | (ulong)Version5 << VersionShift;
        if ((input.Scratch & Answered) == 0) return Wait(ref input);
        var rest = data[(2 + count)..];
        byte chosen = (byte)(input.Scratch >> ChosenShift);
        if (chosen == UsernamePassword)
        {
            // RFC 1929: version 1, the username and the password, each after its length; skipped, never read.
            if (rest.Length < 2) return Wait(ref input);
            if (rest[0] != PasswordVersion) return InspectResult.Match;
            int user = rest[1];
            if (rest.Length < 3 + user) return Wait(ref input);
            int password = rest[2 + user];
            if (rest.Length < 3 + user + password) return Wait(ref input);
            rest = rest[(3 + user + password)..];
        }
        else if (chosen != NoAuthentication)
        {
            // GSSAPI and private methods wrap the request: nothing more to read in the clear.
            return InspectResult.Match;
        }
        return Request5(ref input, rest);
    }

    // RFC 1928 4: version 5, the command, a reserved zero, the address type, the address and the port.
    private static InspectResult Request5(ref InspectionInput input, ReadOnlySpan<byte> request)
    {
        if (request.Length < 5) return Wait(ref input);
        if (request[0] != Version5 || request[1] is not (Connect or Bind or UdpAssociate) || request[2] != 0) return InspectResult.Match;
        int addressLength = request[3] switch { AddressIpv4 => 4, AddressIpv6 => 16, AddressDomain => 1 + request[4], _ => -1 };
        if (addressLength < 0) return InspectResult.Match;
        if (request.Length < 4 + addressLength + 2) return Wait(ref input);
        var address = request.Slice(4, addressLength);
        ushort port = BinaryPrimitives.ReadUInt16BigEndian(request[(4 + addressLength)..]);
        string host = request[3] switch
        {
            AddressIpv4 => IpAddr.FromV4(address).ToString(),
            AddressIpv6 => $"[{IpAddr.FromV6(address)}]",
            _ => AsciiText.Escaped(address[1..], 3 * MaxName),
        };
        return Destination(ref input, request[1], host, port);
    }

    // Version 4 and 4a: the request alone names the destination; the server's reply, when it came, claims the flow.
    private static InspectResult Socks4Request(ref InspectionInput input)
    {
        var data = input.Data;
        if (data.Length < Socks4UserAt + 1) return Wait(ref input);
        if (data[1] is not (Connect or Bind)) return InspectResult.NoMatch;
        var found = Terminated(data[Socks4UserAt..], out int userLength);
        if (found != InspectResult.Match) return found == InspectResult.NeedMore ? Wait(ref input) : InspectResult.NoMatch;
        var address = data.Slice(Socks4AddressAt, 4);
        // 4a: an address 0.0.0.x with x not zero says a domain name follows the user ID.
        bool named = address[0] == 0 && address[1] == 0 && address[2] == 0 && address[3] != 0;
        var domain = data[(Socks4UserAt + userLength + 1)..];
        int domainLength = 0;
        if (named && (found = Terminated(domain, out domainLength)) != InspectResult.Match)
            return found == InspectResult.NeedMore ? Wait(ref input) : InspectResult.NoMatch;
        input.Scratch = input.Scratch & Answered | (ulong)Version4 << VersionShift;
        // The destination is written once the server's reply claimed the flow, not for every stream that only looks like it.
        if ((input.Scratch & Answered) == 0) return Wait(ref input);
        string host = named ? AsciiText.Escaped(domain[..domainLength], MaxName) : IpAddr.FromV4(address).ToString();
        return Destination(ref input, data[1], host, BinaryPrimitives.ReadUInt16BigEndian(data[Socks4PortAt..]));
    }

    // A NUL-terminated name of printable ASCII within MaxName bytes: Match with its length, NeedMore while it runs to the
    // end of the bytes seen, NoMatch otherwise.
    private static InspectResult Terminated(ReadOnlySpan<byte> bytes, out int length)
    {
        length = bytes[..Math.Min(bytes.Length, MaxName + 1)].IndexOf((byte)0);
        if (length < 0) return bytes.Length > MaxName ? InspectResult.NoMatch : InspectResult.NeedMore;
        foreach (byte b in bytes[..length])
            if (b is < 0x20 or > 0x7E) return InspectResult.NoMatch;
        return InspectResult.Match;
    }

    // The server's side: a version-5 choice among the methods offered, or a version-4 reply.
    private static InspectResult Answer(ref InspectionInput input)
    {
        var data = input.Data;
        int version = (int)(input.Scratch >> VersionShift);
        if (version == Version5)
        {
            if (data.Length < 2) return Wait(ref input);
            byte method = data[1];
            bool offered = method == NoAcceptable || (input.Scratch & MethodBit(method)) != 0;
            if (data[0] != Version5 || !offered) return InspectResult.NoMatch;
            input.Scratch |= Answered | (ulong)method << ChosenShift;
            input.Flow.AppDetail ??= AppDetail.Of(new DetailPart("version", "5"), new DetailPart("auth", MethodName(method)));
            // Refused: no request follows.
            return method == NoAcceptable ? InspectResult.Match : InspectResult.Partial;
        }
        if (version == Version4)
        {
            if (data.Length < Socks4ReplyLength) return Wait(ref input);
            if (data[0] != Version4Reply || data[1] is < Granted or > LastReplyCode) return InspectResult.NoMatch;
            input.Scratch |= Answered;
            input.Flow.AppDetail ??= AppDetail.Of(new DetailPart("version", "4"), new DetailPart("reply", data[1] == Granted ? "granted" : "rejected"));
            return InspectResult.Partial;
        }
        return InspectResult.NoMatch;
    }

    // A method's bit among those the client offered: its own below 48, one shared above.
    private static ulong MethodBit(byte method) => method < 48 ? 1UL << method : OtherMethod;

    private static string MethodName(byte method) => method switch
    {
        NoAuthentication => "none",
        Gssapi => "gssapi",
        UsernamePassword => "password",
        NoAcceptable => "refused",
        _ => "other",
    };

    private static InspectResult Destination(ref InspectionInput input, byte command, string host, ushort port)
    {
        string key = command switch { Connect => "connect", Bind => "bind", _ => "udp-associate" };
        var part = new DetailPart(key, $"{host}:{port}");
        input.Flow.AppDetail = input.Flow.AppDetail is { } known ? known.With(part) : AppDetail.Of(part);
        return InspectResult.Match;
    }

    // Waiting: a flow the server's answer claimed stays claimed; one not yet claimed is given up at the limit.
    private static InspectResult Wait(ref InspectionInput input) =>
        (input.Scratch & Answered) != 0 ? InspectResult.Partial : input.Undecided;
}
