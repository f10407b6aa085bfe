using PortAudit.Common;

namespace PortAudit.Flows;

/// <summary>
/// The request and answer types of ICMP and ICMPv6 that make one exchange (echo request and reply, timestamp,
/// neighbor solicitation and advertisement, ...): an exchange is one flow, with one Community ID, as in Zeek.
/// </summary>
internal static class IcmpExchange
{
    /// <summary>
    /// The type that answers <paramref name="type"/> or that it answers, or -1 for a one-way type: the pairs of Zeek's
    /// ICMP4_counterpart and ICMP6_counterpart (echo, timestamp, information, router and address-mask request/reply;
    /// for ICMPv6 also MLD query/report, neighbor and router discovery, who-are-you, home agent address discovery).
    /// </summary>
    public static int Counterpart(byte protocol, byte type) =>
        protocol == IpProtocol.IcmpV6 ? Icmp6Counterpart(type) : Icmp4Counterpart(type);

    /// <summary>
    /// True for the types that ask for an answer: echo, timestamp, information, router solicitation and address-mask
    /// requests, and ICMPv6's echo request, multicast listener query, router and neighbor solicitation, who-are-you and
    /// home agent address discovery requests. Every other message (an error, a reply, an advertisement, a redirect)
    /// expects none: a flow of it that nothing answered is not a failed attempt.
    /// </summary>
    public static bool IsRequest(byte protocol, byte type) => protocol == IpProtocol.IcmpV6
        ? type is 128 or 130 or 133 or 135 or 139 or 144
        : type is 8 or 13 or 15 or 10 or 17;

    /// <summary>
    /// The part of a flow key that keeps one exchange between two hosts apart from another (a timestamp request after a
    /// ping is a flow of its own): the lower type of the pair, or the type itself, doubled (ICMP's echo gives 0, ICMPv6's
    /// 256). Every tag is even, so none meets the odd tag of an unmatched error's quoted pair.
    /// </summary>
    public static ushort KeyTag(byte protocol, byte type)
    {
        int counterpart = Counterpart(protocol, type);
        int exchange = counterpart < 0 ? type : Math.Min(type, counterpart);
        return (ushort)(exchange << 1);
    }

    private static int Icmp4Counterpart(byte type) => type switch
    {
        8 => 0, 0 => 8, // echo
        13 => 14, 14 => 13, // timestamp
        15 => 16, 16 => 15, // information
        10 => 9, 9 => 10, // router solicitation / advertisement
        17 => 18, 18 => 17, // address mask
        _ => -1,
    };

    private static int Icmp6Counterpart(byte type) => type switch
    {
        128 => 129, 129 => 128, // echo
        130 => 131, 131 => 130, // multicast listener query / report
        133 => 134, 134 => 133, // router solicitation / advertisement
        135 => 136, 136 => 135, // neighbor solicitation / advertisement
        139 => 140, 140 => 139, // who-are-you request / reply
        144 => 145, 145 => 144, // home agent address discovery request / reply
        _ => -1,
    };
}
