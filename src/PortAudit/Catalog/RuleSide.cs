namespace PortAudit.Catalog;

/// <summary>
/// One side of a rule: the hosts that may open the connection (<see cref="Rule.From"/>) or listen
/// (<see cref="Rule.To"/>). A host matches when it plays any of the selectors: a role id; <c>any</c>, every host the
/// inventory names; <c>any@ZONE</c>, every host of that zone the inventory names, or, in a zone whose hosts are not
/// listed (the Internet), every address of the zone.
/// </summary>
public sealed class RuleSide : IEquatable<RuleSide>
{
    /// <summary>The wildcard: every host the inventory names.</summary>
    public const string Any = Role.AnyId;

    private const char ZoneSeparator = '@';

    /// <summary>A side of the given selectors, in the order written.</summary>
    public RuleSide(IReadOnlyList<string> selectors)
    {
        if (selectors.Count == 0) throw new ArgumentException("a rule side needs at least one selector", nameof(selectors));
        Selectors = selectors;
    }

    /// <summary>A side of one selector.</summary>
    public static implicit operator RuleSide(string selector) => new([selector]);

    /// <summary>The selectors as written: role ids, <c>any</c>, <c>any@ZONE</c>.</summary>
    public IReadOnlyList<string> Selectors { get; }

    /// <summary>The role ids among the selectors.</summary>
    public IEnumerable<string> Roles => Selectors.Where(s => !IsWildcard(s));

    /// <summary>True when a wildcard is among the selectors: the side stands for hosts not named one by one.</summary>
    public bool HasWildcard => Selectors.Any(IsWildcard);

    /// <summary>True when <paramref name="roleOrSelector"/> is one of the selectors.</summary>
    public bool Contains(string roleOrSelector) => Selectors.Contains(roleOrSelector, StringComparer.Ordinal);

    /// <summary>True for <c>any</c> and <c>any@ZONE</c>.</summary>
    public static bool IsWildcard(string selector) =>
        selector == Any || selector.StartsWith(Any + ZoneSeparator, StringComparison.Ordinal);

    /// <summary>The zone of <c>any@ZONE</c>, or null for a role or the plain wildcard.</summary>
    public static string? ZoneOf(string selector) =>
        selector.StartsWith(Any + ZoneSeparator, StringComparison.Ordinal) ? selector[(Any.Length + 1)..] : null;

    /// <summary>The scoped wildcard of <paramref name="zone"/>: <c>any@ZONE</c>.</summary>
    public static string ScopedTo(string zone) => Any + ZoneSeparator + zone;

    /// <summary>The selector alone, or the list in brackets: how rule files write it.</summary>
    public override string ToString() => Selectors.Count == 1 ? Selectors[0] : "[" + string.Join(", ", Selectors) + "]";

    /// <inheritdoc />
    public bool Equals(RuleSide? other) => other is not null && Selectors.SequenceEqual(other.Selectors, StringComparer.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as RuleSide);

    /// <summary>True when both sides list the same selectors in the same order (<c>rule.To == "lync-mediation"</c>).</summary>
    public static bool operator ==(RuleSide? left, RuleSide? right) => left is null ? right is null : left.Equals(right);

    /// <summary>The opposite of <see cref="op_Equality"/>.</summary>
    public static bool operator !=(RuleSide? left, RuleSide? right) => !(left == right);

    /// <inheritdoc />
    public override int GetHashCode() => Selectors.Aggregate(0, (hash, s) => HashCode.Combine(hash, s));
}
