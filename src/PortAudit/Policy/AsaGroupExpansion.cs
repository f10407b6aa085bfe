namespace PortAudit.Policy;

/// <summary>An ASA object or object-group as written: its name, its protocol (a service group's "tcp"), its lines and where it starts.</summary>
internal sealed record AsaDefinition(string Name, string? Protocol, List<string> Lines, PolicyLocation Location);

/// <summary>One line of an object or object-group: members written out, the name of another group it includes, or neither (not understood).</summary>
internal readonly record struct AsaMemberLine<T>(IReadOnlyList<T>? Members, string? Group)
{
    /// <summary>A line this reader does not understand: the group holding it is not resolved.</summary>
    public static AsaMemberLine<T> Unknown => default;
}

/// <summary>
/// The members all group expansions of one configuration and the elements all its access-list entries expand to may
/// produce together (<see cref="AsaObjects.MaxExpandedMembers"/>): groups nested 14 deep, each including the next four
/// times, stand for 4^14 members in 1.5 KB of text, and one entry naming a service group of a thousand services and two
/// network groups of a thousand hosts stands for a billion (services x sources x destinations), as the ASA itself
/// expands it (<c>show access-list</c> counts these elements).
/// </summary>
internal sealed class AsaExpansionBudget(long limit)
{
    private long _used;

    /// <summary>The limit.</summary>
    public long Limit { get; } = limit;

    /// <summary>Takes <paramref name="members"/> from the budget; false once it is spent.</summary>
    public bool Take(long members) => (_used += Math.Min(members, Limit + 1)) <= Limit;

    /// <summary>
    /// Takes the elements of an entry with <paramref name="services"/> services, <paramref name="sources"/> and
    /// <paramref name="destinations"/> address prefixes (each at least one); false once the budget is spent. The product
    /// saturates past the limit, so that three sides of millions do not overflow.
    /// </summary>
    public bool TakeProduct(long services, long sources, long destinations) =>
        Take(Math.Min(Math.Min(services * sources, Limit + 1) * destinations, Limit + 1));
}

/// <summary>
/// Expands the object-groups of one kind (network, service, protocol): each group once, whatever number of groups and
/// access-list entries name it, its members without repeats (a group is a set). A group is not resolved (null) when a line
/// of it is not understood, it names a group not defined, it includes itself, it nests more than
/// <see cref="AsaObjects.MaxNesting"/> levels or its expansion would pass the budget; the last three are reported at the
/// group's own line. Whether a group resolves depends on the group alone, not on where it is first used.
/// </summary>
internal sealed class AsaGroupExpansion<T>(string kind, Func<AsaDefinition, string, AsaMemberLine<T>> read, AsaExpansionBudget budget, PolicyIssues issues)
    where T : notnull
{
    // A group's members and how many levels of groups it nests; null members: not resolved.
    private readonly Dictionary<string, (IReadOnlyList<T>? Members, int Height)> _expanded = new(StringComparer.Ordinal);
    private readonly List<string> _expanding = [];

    /// <summary>The definitions of this kind, by name.</summary>
    public Dictionary<string, AsaDefinition> Definitions { get; } = new(StringComparer.Ordinal);

    /// <summary>The members of group <paramref name="name"/>; null when it is not resolved. The list is shared: never change it.</summary>
    public IReadOnlyList<T>? Members(string name) => Expand(name, 0) is { Deep: false } found ? found.Members : null;

    private readonly record struct Expansion(IReadOnlyList<T>? Members, int Height, bool Deep = false);

    private Expansion Expand(string name, int depth)
    {
        if (_expanded.TryGetValue(name, out var known)) return new Expansion(known.Members, known.Height);
        if (!Definitions.TryGetValue(name, out var group)) return new Expansion(null, 0);
        if (_expanding.Contains(name)) return Refuse(group, $"{kind} group that does not include itself ({string.Join(" -> ", _expanding.SkipWhile(n => n != name).Append(name))})");
        // The walk stops this deep so that the stack stays small; whether the group itself nests too deep is told at the top.
        if (depth > AsaObjects.MaxNesting) return new Expansion(null, 0, Deep: true);
        _expanding.Add(name);
        var expansion = Members(group, depth);
        _expanding.RemoveAt(_expanding.Count - 1);
        if (expansion.Deep && depth > 0) return expansion;
        if (expansion.Deep || expansion.Height > AsaObjects.MaxNesting)
            return Refuse(group, $"{kind} groups nested at most {AsaObjects.MaxNesting} levels deep");
        _expanded[name] = (expansion.Members, expansion.Height);
        return expansion;
    }

    private Expansion Members(AsaDefinition group, int depth)
    {
        var members = new List<T>();
        var seen = new HashSet<T>();
        int height = 0;
        foreach (string line in group.Lines)
        {
            var member = read(group, line);
            IReadOnlyList<T>? adding = member.Members;
            if (member.Group is { } included)
            {
                var inner = Expand(included, depth + 1);
                if (inner.Deep) return inner;
                height = Math.Max(height, inner.Height + 1);
                adding = inner.Members;
            }
            if (adding is null) return new Expansion(null, height);
            if (!budget.Take(adding.Count))
                return Refuse(group, FormattableString.Invariant($"{kind} groups that expand to at most {budget.Limit:N0} members in all (nested groups are counted each time they are included)"));
            foreach (var item in adding)
                if (seen.Add(item)) members.Add(item);
        }
        return new Expansion(members, height);
    }

    // Reported once, at the group's line, and remembered: every use of the group is then not resolved.
    private Expansion Refuse(AsaDefinition group, string expected)
    {
        _expanded[group.Name] = (null, 0);
        issues.Add(group.Location, $"object-group {kind} {group.Name}", expected);
        return new Expansion(null, 0);
    }
}
