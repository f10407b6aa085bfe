using PortAudit.Catalog;
using PortAudit.Common;

namespace PortAudit.Policy;

/// <summary>One rule of a least-privilege policy: what one catalog instance needs, for one transport and one address family.</summary>
/// <param name="CatalogRule">The catalog rule id.</param>
/// <param name="Seed">Where the requirement is written: the seed file and its row.</param>
/// <param name="FromHost">The client host, or "*".</param>
/// <param name="ToHost">The server host, or "*".</param>
/// <param name="Protocol">IP protocol number.</param>
/// <param name="From">Client prefixes; null for any.</param>
/// <param name="To">Server prefixes; null for any.</param>
/// <param name="Ports">Server ports; empty for protocols without ports.</param>
public sealed record AllowRule(string CatalogRule, string Seed, string FromHost, string ToHost, byte Protocol,
    IReadOnlyList<IpPrefix>? From, IReadOnlyList<IpPrefix>? To, IReadOnlyList<PortRange> Ports)
{
    /// <summary>The ICMP messages allowed (the catalog rule's <c>icmp</c> list); empty for any message, and for other protocols.</summary>
    public IReadOnlyList<IcmpMessage> Icmp { get; init; } = [];

    /// <summary>
    /// The server names the catalog rule allows only (its <c>serverNames</c>); empty for any. A packet filter's rule
    /// cannot say them: the file says so in its header (<see cref="PolicyEmitter"/>).
    /// </summary>
    public IReadOnlyList<ServerName> ServerNames { get; init; } = [];

    /// <summary>
    /// True for an IPv6 rule: its sides' family (a rule's sides are of one family), else its protocol's (ICMPv6).
    /// </summary>
    public bool IsIpv6 => (From ?? To) is [var first, ..] ? !first.Network.IsV4 : Protocol == IpProtocol.IcmpV6;

    /// <summary>The comment every format carries: "catalog-rule-id: seed-file: row", printable ASCII without quotes, single spaces, at most 120 characters.</summary>
    public string Comment
    {
        get
        {
            string text = PolicyComment.Printable($"{CatalogRule}: {Seed}");
            return text.Length <= 120 ? text : text[..120].TrimEnd();
        }
    }

    /// <summary>The rule in the normalised model, as a parser should read it back.</summary>
    public PolicyRule ToPolicyRule(string chain, int position) => new()
    {
        Id = $"{chain}#{position}", Chain = chain, Location = default, Action = PolicyAction.Accept, Protocols = [Protocol],
        Source = From is null ? null : new AddressMatch(From), Destination = To is null ? null : new AddressMatch(To),
        DestinationPorts = Ports.Count == 0 ? null : new PortMatch(Ports), Comment = Comment,
    };
}
