using System.Globalization;
using PortAudit.Common;
using PortAudit.Decode;

namespace PortAudit.Policy;

/// <summary>What a NAT rule does to a connection's addresses; the rule's own conditions say which connections.</summary>
/// <remarks>
/// NAT does not filter, but it changes what the filter sees: a destination NAT before the filter (nftables prerouting,
/// iptables nat PREROUTING) sends the connection to another address or port. That one case, to a fixed address and/or
/// port, is evaluated, in the prerouting nat chain or a chain it jumps to (<see cref="EntryWalk"/>); one to a map or an
/// expression makes the verdict undecided; every other translation (source NAT, masquerade, pools, ASA nat and static)
/// is understood, reported with its place, and not evaluated: never taken silently as allow or deny.
/// </remarks>
/// <param name="Kind">dnat, snat, masquerade, redirect (nftables, iptables), nat or static (ASA).</param>
/// <param name="Text">The translation as written ("dnat to 10.0.0.5:8080", "nat (inside,outside) source dynamic ...").</param>
/// <param name="ToAddress">The fixed destination address a destination NAT sends to; null when none or not fixed.</param>
/// <param name="ToPort">The fixed destination port; null when kept or not fixed.</param>
/// <param name="BeforeFilter">True when the rule runs before the filter on the way in (prerouting).</param>
public sealed record NatTranslation(string Kind, string Text, IpAddr? ToAddress, int? ToPort, bool BeforeFilter)
{
    /// <summary>A destination NAT (or redirect) to a fixed address or port, before the filter: the evaluator applies it.</summary>
    public bool Evaluated => BeforeFilter && Kind is "dnat" or "redirect" && (ToAddress is not null || ToPort is not null);

    /// <summary>"evaluated", or why not.</summary>
    public string Treatment => Evaluated ? "evaluated"
        : Kind is "dnat" or "redirect" && BeforeFilter ? "understood, not evaluated: the destination is not one fixed address or port"
        : Kind is "dnat" or "redirect" ? "understood, not in a NAT base chain before the filter (prerouting): evaluated where such a chain jumps or goes to its chain"
        : Kind is "nat" or "static" ? "understood, not evaluated: ASA NAT, whose access-lists match the real addresses"
        : "understood, not evaluated: source translation does not change what the filter decides";

    /// <summary>
    /// The connection as the filter sees it after the translation, marked translated when the destination changed: the
    /// kernel sets the connection's dnat status only then (a dnat to the address and port it already has sets none). A
    /// redirect sends it to the host's own address, which the model does not hold, so it is always translated.
    /// </summary>
    public PolicyQuery Apply(in PolicyQuery query)
    {
        var destination = Kind == "redirect" ? query.Destination : ToAddress ?? query.Destination;
        int port = ToPort ?? query.DestinationPort;
        return query with
        {
            Destination = destination,
            DestinationPort = port,
            Translated = Kind == "redirect" || destination != query.Destination || port != query.DestinationPort,
        };
    }

    /// <summary>
    /// Reads "ADDR", "ADDR:PORT", "[V6]:PORT", ":PORT" or "PORT" (redirect) after "to"; null parts when absent or
    /// not a literal (a map, a range, a variable).
    /// </summary>
    public static (IpAddr? Address, int? Port) ParseTarget(string target, bool portOnly)
    {
        string address = target, port = "";
        if (portOnly) (address, port) = ("", target.TrimStart(':'));
        else if (target.StartsWith('['))
        {
            int close = target.IndexOf(']');
            if (close < 0) return (null, null);
            (address, port) = (target[1..close], target[(close + 1)..].TrimStart(':'));
        }
        else if (target.Count(c => c == ':') == 1)
        {
            int colon = target.IndexOf(':');
            (address, port) = (target[..colon], target[(colon + 1)..]);
        }
        IpAddr? parsed = null;
        if (address.Length > 0)
        {
            if (!IpAddr.TryParse(address, out var a)) return (null, null);
            parsed = a;
        }
        int? number = null;
        if (port.Length > 0)
        {
            if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int p) || p is < 1 or > 65535) return (null, null);
            number = p;
        }
        return (parsed, number);
    }
}
