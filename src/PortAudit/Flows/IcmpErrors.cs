using System.Text;
using PortAudit.Common;
using PortAudit.Decode;

namespace PortAudit.Flows;

/// <summary>
/// The ICMP or ICMPv6 errors that answered packets of a flow (matched through the header they quote): evidence on
/// the flow, not traffic of its own. Holds how many came and the first one's message and sender, which is the
/// flow's server or a router on the way. A plain value kept inside the flow, so recording one allocates nothing.
/// </summary>
/// <param name="Count">Errors matched to the flow; 0 when none came.</param>
/// <param name="IcmpProtocol">The first error's protocol: <see cref="IpProtocol.Icmp"/> or <see cref="IpProtocol.IcmpV6"/>.</param>
/// <param name="Type">The first error's ICMP type.</param>
/// <param name="Code">The first error's ICMP code.</param>
/// <param name="Sender">Who sent the first error.</param>
public readonly record struct IcmpErrors(long Count, byte IcmpProtocol, byte Type, byte Code, IpAddr Sender)
{
    private const string From = " from ";
    private const int MaxNameLength = 32;

    /// <summary>Longest text of <see cref="Format"/>.</summary>
    public const int MaxTextLength = MaxNameLength + 6 + IpAddr.MaxTextLength;

    /// <summary>The first error's name ("port-unreachable", "ttl-exceeded"...).</summary>
    public string Name => IcmpMessages.Name(IcmpProtocol, Type, Code);

    /// <summary>These errors with one more: the first one stays the one described.</summary>
    internal IcmpErrors Add(byte icmpProtocol, byte type, byte code, IpAddr sender) =>
        Count == 0 ? new(1, icmpProtocol, type, code, sender) : this with { Count = Count + 1 };

    /// <summary>
    /// Writes "port-unreachable from 10.0.0.1" into <paramref name="destination"/> (at least
    /// <see cref="MaxTextLength"/> characters) and returns its length; 0 when no error came.
    /// </summary>
    public int Format(Span<char> destination)
    {
        if (Count == 0) return 0;
        string name = Name;
        name.CopyTo(destination);
        From.CopyTo(destination[name.Length..]);
        int length = name.Length + From.Length;
        Span<byte> address = stackalloc byte[IpAddr.MaxTextLength];
        return length + Encoding.ASCII.GetChars(address[..Sender.Format(address)], destination[length..]);
    }

    /// <summary>
    /// The <paramref name="count"/> errors whose first one <see cref="Format"/> wrote as <paramref name="text"/> ("port-unreachable
    /// from 10.0.0.1"): the sender's address family tells ICMP from ICMPv6, as an error answers a packet of its own IP
    /// version. False when the text is no such description.
    /// </summary>
    public static bool TryParse(long count, ReadOnlySpan<char> text, out IcmpErrors errors)
    {
        errors = default;
        int from = text.IndexOf(From, StringComparison.Ordinal);
        if (count <= 0 || from <= 0 || !IpAddr.TryParse(text[(from + From.Length)..].ToString(), out var sender)) return false;
        byte protocol = sender.IsV4 ? IpProtocol.Icmp : IpProtocol.IcmpV6;
        if (!IcmpMessages.TryParseError(protocol, text[..from], out byte type, out byte code)) return false;
        errors = new IcmpErrors(count, protocol, type, code, sender);
        return true;
    }

    /// <inheritdoc />
    public override string ToString()
    {
        Span<char> text = stackalloc char[MaxTextLength];
        return new string(text[..Format(text)]);
    }
}
