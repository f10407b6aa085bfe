namespace PortAudit.Catalog;

/// <summary>
/// A part a host can play (a Lync Front End, a DHCP server, a workstation). Hosts get roles from
/// the inventory; rules connect roles.
/// </summary>
/// <param name="Id">Stable kebab-case identifier used by rules.</param>
/// <param name="Description">What a host with this role does, for people reading reports.</param>
public sealed record Role(string Id, string Description)
{
    /// <summary>
    /// The wildcard role: a rule from or to <c>any</c> matches every host, including hosts the
    /// inventory does not know (the Internet side of an Edge server).
    /// </summary>
    public const string AnyId = "any";

    /// <summary>
    /// Roles every host with this one also plays, as roles.yaml states them (a Front End is a Lync server); the catalog
    /// closes them transitively (<see cref="RoleCatalog.Closure"/>).
    /// </summary>
    public IReadOnlyList<string> Implies { get; init; } = [];

    /// <summary>
    /// True for a role of another organisation's host (a federation partner's Edge, an XMPP partner's server), as
    /// roles.yaml states with <c>partner: true</c>: an inventory may name such hosts in the external zone, and a draft
    /// gives a host named in another organisation's domains no other role.
    /// </summary>
    public bool Partner { get; init; }
}
