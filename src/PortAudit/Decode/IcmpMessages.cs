using PortAudit.Common;

namespace PortAudit.Decode;

/// <summary>
/// The ICMP and ICMPv6 error messages: which ones quote the packet they answer (RFC 792, RFC 4443), which of them
/// say the destination refused it, and the names flow records give them. Names are constant strings, so naming
/// a message allocates nothing.
/// </summary>
public static class IcmpMessages
{
    private const byte V4Unreachable = 3;
    private const byte V4SourceQuench = 4;
    private const byte V4TimeExceeded = 11;
    private const byte V4ParameterProblem = 12;
    private const byte V6Unreachable = 1;
    private const byte V6PacketTooBig = 2;
    private const byte V6TimeExceeded = 3;
    private const byte V6ParameterProblem = 4;

    // Indexed by code; a code past the end gets the type's general name.
    private static readonly string[] V4UnreachableNames =
    [
        "net-unreachable", "host-unreachable", "protocol-unreachable", "port-unreachable", "fragmentation-needed",
        "source-route-failed", "net-unknown", "host-unknown", "source-host-isolated", "net-prohibited", "host-prohibited",
        "net-tos-unreachable", "host-tos-unreachable", "admin-prohibited", "host-precedence-violation", "precedence-cutoff",
    ];
    private static readonly string[] V6UnreachableNames =
    [
        "no-route", "admin-prohibited", "beyond-scope", "address-unreachable", "port-unreachable", "source-policy-failed",
        "reject-route",
    ];
    private static readonly string[] TimeExceededNames = ["ttl-exceeded", "reassembly-time-exceeded"];
    private static readonly string[] V6TimeExceededNames = ["hop-limit-exceeded", "reassembly-time-exceeded"];

    /// <summary>
    /// True for the error messages that quote the packet they answer: destination unreachable, time exceeded,
    /// parameter problem, and source quench (ICMP) or packet too big (ICMPv6).
    /// </summary>
    public static bool IsError(byte protocol, byte type) => protocol switch
    {
        IpProtocol.Icmp => type is V4Unreachable or V4SourceQuench or V4TimeExceeded or V4ParameterProblem,
        IpProtocol.IcmpV6 => type is V6Unreachable or V6PacketTooBig or V6TimeExceeded or V6ParameterProblem,
        _ => false,
    };

    /// <summary>True for destination unreachable: the one error that says the packet was refused, not just delayed or cut.</summary>
    public static bool IsUnreachable(byte protocol, byte type) =>
        protocol == IpProtocol.Icmp ? type == V4Unreachable : protocol == IpProtocol.IcmpV6 && type == V6Unreachable;

    /// <summary>The message's name in flow records ("port-unreachable", "ttl-exceeded", "packet-too-big"...).</summary>
    public static string Name(byte protocol, byte type, byte code) => protocol == IpProtocol.IcmpV6
        ? type switch
        {
            V6Unreachable => ByCode(V6UnreachableNames, code, "unreachable"),
            V6PacketTooBig => "packet-too-big",
            V6TimeExceeded => ByCode(V6TimeExceededNames, code, "time-exceeded"),
            V6ParameterProblem => "parameter-problem",
            _ => "icmpv6-error",
        }
        : type switch
        {
            V4Unreachable => ByCode(V4UnreachableNames, code, "unreachable"),
            V4SourceQuench => "source-quench",
            V4TimeExceeded => ByCode(TimeExceededNames, code, "time-exceeded"),
            V4ParameterProblem => "parameter-problem",
            _ => "icmp-error",
        };

    private static string ByCode(string[] names, byte code, string general) => code < names.Length ? names[code] : general;
}
