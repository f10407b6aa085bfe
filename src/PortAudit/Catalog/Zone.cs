namespace PortAudit.Catalog;

/// <summary>
/// A part of the network that rules can scope their wildcard to (<c>any@internal</c>): the organisation's internal
/// networks, its perimeter, the Internet. Inventory segments (and hosts) are placed in zones.
/// </summary>
/// <param name="Id">Stable kebab-case identifier.</param>
/// <param name="Description">What the zone holds, for people.</param>
/// <param name="Listed">
/// True when every host of the zone is expected to be in the inventory: a host there that the inventory does not name
/// matches no rule (it is unmapped). False for zones such as the Internet, whose hosts are by nature unknown and match
/// the zone's scoped wildcard.
/// </param>
public sealed record Zone(string Id, string Description, bool Listed)
{
    /// <summary>The organisation's own networks.</summary>
    public const string Internal = "internal";

    /// <summary>Screened networks between internal and external (a DMZ).</summary>
    public const string Perimeter = "perimeter";

    /// <summary>The Internet and partner networks.</summary>
    public const string External = "external";

    /// <summary>The zones a catalog without a zones file has.</summary>
    public static readonly IReadOnlyList<Zone> Defaults =
    [
        new(Internal, "The organisation's internal networks; every host is expected in the inventory.", true),
        new(Perimeter, "Screened networks (DMZ) between internal and external; every host is expected in the inventory.", true),
        new(External, "The Internet and partner networks; hosts are not listed.", false),
    ];
}
