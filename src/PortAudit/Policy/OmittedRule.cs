using PortAudit.Common;

namespace PortAudit.Policy;

/// <summary>
/// A catalog instance a least-privilege policy leaves out for one transport: its two sides have no address pair of a
/// family the protocol runs over (ICMPv6 to an IPv4-only host, ICMP between IPv6-only hosts, an IPv4 client of an
/// IPv6-only server). A rule matches one family; one written anyway would never match, or not load.
/// </summary>
/// <param name="CatalogRule">The catalog rule id.</param>
/// <param name="Seed">Where the requirement is written: the seed file and its row.</param>
/// <param name="FromHost">The client host, or "*".</param>
/// <param name="ToHost">The server host, or "*".</param>
/// <param name="Protocol">IP protocol number.</param>
public sealed record OmittedRule(string CatalogRule, string Seed, string FromHost, string ToHost, byte Protocol)
{
    /// <summary>Why no rule is written, in a sentence.</summary>
    public string Reason => Protocol switch
    {
        IpProtocol.Icmp => "ICMP runs over IPv4 only, and a side has no IPv4 address",
        IpProtocol.IcmpV6 => "ICMPv6 runs over IPv6 only, and a side has no IPv6 address",
        _ => "the sides have no address family in common",
    };

    /// <summary>The comment every format carries in place of the rule, printable ASCII on one line.</summary>
    public string Comment => PolicyComment.Printable(
        $"not emitted: {CatalogRule} {IpProtocol.Name(Protocol)} {FromHost} -> {ToHost}: {Reason} ({Seed})");
}

/// <summary>What a least-privilege policy holds: the rules to write, and the instances left out with their reason.</summary>
/// <param name="Rules">The allow rules, in their stable order.</param>
/// <param name="Omitted">The instances no rule is written for, in the same order.</param>
public sealed record LeastPrivilegePolicy(IReadOnlyList<AllowRule> Rules, IReadOnlyList<OmittedRule> Omitted);

/// <summary>Text that every firewall language takes in a comment, remark or rule name.</summary>
internal static class PolicyComment
{
    /// <summary>
    /// <paramref name="text"/> as printable ASCII without quotes or backslashes and with single spaces: ASA remarks and
    /// netsh names keep no runs of spaces, and a quote would end an nft or iptables comment.
    /// </summary>
    public static string Printable(string text)
    {
        var printable = new string(text.Select(c => c is >= ' ' and <= '~' && c is not ('"' or '\\' or '\'') ? c : ' ').ToArray());
        return string.Join(' ', printable.Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }
}
