using PortAudit.Common;

namespace PortAudit.Decode;

/// <summary>
/// The ICMP and ICMPv6 messages: which ones are errors that quote the packet they answer (RFC 792, RFC 4443), which of
/// them say the destination refused it, and the names flow records and rule files give them (nftables' names, which
/// iptables shares for ICMP). Names are constant strings, so naming a message allocates nothing.
/// </summary>
public static class IcmpMessages
{
    private const byte V4Unreachable = 3;
    private const byte V4FragmentationNeeded = 4;
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

    /// <summary>
    /// True for destination unreachable: the one error that says the packet was refused, not just delayed or cut. ICMP's
    /// fragmentation needed is not: like ICMPv6's packet too big, it says the packet was too large for the path (a tunnel's
    /// outer packets meet it all the time), not that anyone said no.
    /// </summary>
    public static bool IsUnreachable(byte protocol, byte type, byte code) => protocol == IpProtocol.Icmp
        ? type == V4Unreachable && code != V4FragmentationNeeded
        : protocol == IpProtocol.IcmpV6 && type == V6Unreachable;

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

    /// <summary>
    /// The error message of <paramref name="protocol"/> that <see cref="Name"/> calls <paramref name="name"/>: its type, and
    /// the first code of that name (a name for several codes, "unreachable", stands for them all). False when no error
    /// message has that name.
    /// </summary>
    public static bool TryParseError(byte protocol, ReadOnlySpan<char> name, out byte type, out byte code)
    {
        ReadOnlySpan<byte> errors = protocol == IpProtocol.IcmpV6
            ? [V6Unreachable, V6PacketTooBig, V6TimeExceeded, V6ParameterProblem]
            : [V4Unreachable, V4SourceQuench, V4TimeExceeded, V4ParameterProblem];
        foreach (byte candidate in errors)
        {
            // Every name of a type is among its first codes and the one past them: 17 covers the longest table (ICMP's unreachable).
            for (int c = 0; c <= V4UnreachableNames.Length; c++)
            {
                if (!name.SequenceEqual(Name(protocol, candidate, (byte)c))) continue;
                (type, code) = (candidate, (byte)c);
                return true;
            }
        }
        (type, code) = (0, 0);
        return false;
    }

    // The names of message types, as nftables spells them ("icmp type echo-request"): what a rule file's "icmp:" lists.
    private static readonly Dictionary<byte, string> V4Types = new()
    {
        [0] = "echo-reply", [V4Unreachable] = "destination-unreachable", [V4SourceQuench] = "source-quench", [5] = "redirect",
        [8] = "echo-request", [9] = "router-advertisement", [10] = "router-solicitation", [V4TimeExceeded] = "time-exceeded",
        [V4ParameterProblem] = "parameter-problem", [13] = "timestamp-request", [14] = "timestamp-reply", [15] = "info-request",
        [16] = "info-reply", [17] = "address-mask-request", [18] = "address-mask-reply",
    };
    private static readonly Dictionary<byte, string> V6Types = new()
    {
        [V6Unreachable] = "destination-unreachable", [V6PacketTooBig] = "packet-too-big", [V6TimeExceeded] = "time-exceeded",
        [V6ParameterProblem] = "parameter-problem", [128] = "echo-request", [129] = "echo-reply", [130] = "mld-listener-query",
        [131] = "mld-listener-report", [132] = "mld-listener-done", [133] = "nd-router-solicit", [134] = "nd-router-advert",
        [135] = "nd-neighbor-solicit", [136] = "nd-neighbor-advert", [137] = "nd-redirect", [138] = "router-renumbering",
        [143] = "mld2-listener-report",
    };

    /// <summary>The name of message type <paramref name="type"/> ("echo-request", "destination-unreachable"...), or null for a type without one.</summary>
    public static string? TypeName(byte protocol, byte type) =>
        (protocol == IpProtocol.IcmpV6 ? V6Types : V4Types).GetValueOrDefault(type);

    /// <summary>
    /// The most specific name of a message: an error's name by its code, as <see cref="Name"/> gives it
    /// ("port-unreachable"), else its type's name ("echo-request"); null for a type without one.
    /// </summary>
    public static string? MessageName(byte protocol, byte type, byte code) =>
        IsError(protocol, type) ? Name(protocol, type, code) : TypeName(protocol, type);

    /// <summary>
    /// Every name <see cref="TryParse"/> takes for <paramref name="protocol"/>: the type names, then the error names
    /// that also fix a code ("port-unreachable", "ttl-exceeded").
    /// </summary>
    public static IEnumerable<string> Names(byte protocol) =>
        Known(protocol).Select(known => known.Name).Distinct(StringComparer.Ordinal);

    /// <summary>
    /// Reads a message as a rule file names it: a type name ("echo-request"), an error's name by its code
    /// ("port-unreachable": its type and that code), a type number ("8") or a type and code ("3/3"). The
    /// <paramref name="code"/> is -1 when any code matches. False for anything else.
    /// </summary>
    public static bool TryParse(byte protocol, string text, out byte type, out short code)
    {
        (type, code) = (0, -1);
        int slash = text.IndexOf('/');
        if (byte.TryParse(slash < 0 ? text : text[..slash], System.Globalization.NumberStyles.None, null, out type))
        {
            if (slash < 0) return true;
            if (!byte.TryParse(text[(slash + 1)..], System.Globalization.NumberStyles.None, null, out byte number)) return false;
            code = number;
            return true;
        }
        foreach (var known in Known(protocol))
        {
            if (!string.Equals(known.Name, text, StringComparison.OrdinalIgnoreCase)) continue;
            (type, code) = (known.Type, known.Code);
            return true;
        }
        return false;
    }

    // Type names first (any code), then the errors' names by code; a general fallback name ("unreachable") is not a code's.
    private static IEnumerable<(string Name, byte Type, short Code)> Known(byte protocol)
    {
        bool v6 = protocol == IpProtocol.IcmpV6;
        foreach (var (type, name) in v6 ? V6Types : V4Types) yield return (name, type, -1);
        var coded = v6
            ? new[] { (V6Unreachable, V6UnreachableNames), (V6TimeExceeded, V6TimeExceededNames) }
            : new[] { (V4Unreachable, V4UnreachableNames), (V4TimeExceeded, TimeExceededNames) };
        foreach (var (type, names) in coded)
            for (int code = 0; code < names.Length; code++)
                if (names[code] != TypeName(protocol, type)) yield return (names[code], type, (short)code);
    }
}
