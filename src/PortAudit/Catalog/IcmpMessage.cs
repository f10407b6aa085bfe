using System.Globalization;
using PortAudit.Common;
using PortAudit.Decode;

namespace PortAudit.Catalog;

/// <summary>
/// One ICMP or ICMPv6 message a rule allows (its <c>icmp:</c> list): a type, and a code when the rule names one
/// ("port-unreachable" is type 3 code 3 in ICMP). A flow matches it by its first packet's type and code.
/// </summary>
/// <param name="Protocol">The IP protocol the numbers are of: <see cref="IpProtocol.Icmp"/> or <see cref="IpProtocol.IcmpV6"/>.</param>
/// <param name="Type">The message type.</param>
/// <param name="Code">The code, or -1 for any code of the type.</param>
public readonly record struct IcmpMessage(byte Protocol, byte Type, short Code)
{
    /// <summary>True when a flow whose first packet was <paramref name="type"/>/<paramref name="code"/> is this message.</summary>
    public bool Matches(byte type, byte code) => type == Type && (Code < 0 || code == Code);

    /// <summary>True when any of <paramref name="messages"/> matches; a plain loop, as it runs per flow.</summary>
    public static bool Any(IReadOnlyList<IcmpMessage> messages, byte type, byte code)
    {
        for (int i = 0; i < messages.Count; i++)
            if (messages[i].Matches(type, code)) return true;
        return false;
    }

    /// <summary>The type's name ("echo-request"), or its number for a type without one.</summary>
    public string TypeText => IcmpMessages.TypeName(Protocol, Type) ?? Type.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// As a rule file writes it: the type's name when any code matches ("echo-request"), the error's name when the code
    /// has one ("port-unreachable"), else type/code in numbers ("3/99").
    /// </summary>
    public override string ToString()
    {
        if (Code < 0) return TypeText;
        // A general name ("unreachable" for a code past the table) names no code: only a name that reads back as this
        // type and code stands for it.
        string? name = IcmpMessages.MessageName(Protocol, Type, (byte)Code);
        return name is not null && IcmpMessages.TryParse(Protocol, name, out byte type, out short code) && type == Type && code == Code
            ? name
            : string.Create(CultureInfo.InvariantCulture, $"{Type}/{Code}");
    }
}
