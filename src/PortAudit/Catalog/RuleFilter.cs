namespace PortAudit.Catalog;

/// <summary>The listing filters of <c>portaudit catalog</c>; unset criteria match everything.</summary>
public sealed record RuleFilter
{
    /// <summary>Rules with this role on either side.</summary>
    public string? Role { get; init; }

    /// <summary>Rules whose client side is this role.</summary>
    public string? From { get; init; }

    /// <summary>Rules whose listening side is this role.</summary>
    public string? To { get; init; }

    /// <summary>Rules that use this port on TCP or UDP.</summary>
    public int? Port { get; init; }

    /// <summary>True when <paramref name="rule"/> meets every criterion.</summary>
    public bool Matches(Rule rule) =>
        (Role is null || rule.From.Contains(Role) || rule.To.Contains(Role))
        && (From is null || rule.From.Contains(From))
        && (To is null || rule.To.Contains(To))
        && (Port is not { } port || rule.UsesPort(port));

    /// <summary>
    /// Role names in the filter that the catalog does not define; a typo would otherwise
    /// silently list nothing.
    /// </summary>
    public IEnumerable<string> UnknownRoles(RoleCatalog catalog) =>
        new[] { Role, From, To }.OfType<string>().Where(r => !RuleSide.IsWildcard(r) && catalog.FindRole(r) is null);
}
