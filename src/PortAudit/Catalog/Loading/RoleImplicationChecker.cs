using PortAudit.Common;

namespace PortAudit.Catalog.Loading;

/// <summary>
/// Checks the roles' <c>implies</c> lists: every implied role is defined, and no role implies itself through others
/// (a cycle would make two roles one, which the catalog should say by merging them). Each problem is reported at the
/// implied role as written. The catalog's roles and the depth of their implications are bounded
/// (<see cref="MaxRoles"/>, <see cref="MaxDepth"/>): every role keeps the set of roles it implies, so a chain of
/// 30,000 roles took 4.7 GB, and the walk recursed once per level until a chain of 100,000 overflowed the stack.
/// </summary>
internal static class RoleImplicationChecker
{
    /// <summary>Most roles a catalog defines; the shipped one has about 60.</summary>
    public const int MaxRoles = 1000;

    /// <summary>Deepest chain of implications (a implies b implies c...); the shipped catalog's is 3.</summary>
    public const int MaxDepth = 32;

    public static void Check(IReadOnlyList<Located<Definition>> located, ErrorList errors)
    {
        if (located.Count > MaxRoles)
        {
            errors.Add(located[MaxRoles].Spot,
                $"{located.Count} roles, more than the {MaxRoles} a catalog may define; '{located[MaxRoles].Value.Id}' is the first past the limit");
            return;
        }
        var roles = located.Select(r => r.Value).ToList();
        var byId = roles.ToDictionary(r => r.Id, StringComparer.Ordinal);
        foreach (var role in roles)
            foreach (var implied in role.Implies.Where(i => !byId.ContainsKey(i.Value)))
                errors.Add(implied.Spot, $"unknown role '{implied.Value}' in '{DefinitionReader.ImpliesKey}' of '{role.Id}' (define it in {CatalogLoader.RolesFile}){Spelling.Suggestion(implied.Value, byId.Keys)}");

        // A cycle is reported once, at the edge that closes it when walking from its first role in file order.
        var finished = new HashSet<string>(StringComparer.Ordinal);
        foreach (var role in roles)
            Walk(role, [], byId, finished, errors);
    }

    private static void Walk(Definition role, List<string> path, Dictionary<string, Definition> byId, HashSet<string> finished, ErrorList errors)
    {
        if (finished.Contains(role.Id)) return;
        path.Add(role.Id);
        foreach (var implied in role.Implies)
        {
            int start = path.IndexOf(implied.Value);
            if (start >= 0)
                errors.Add(implied.Spot, $"roles imply each other in a cycle: {string.Join(" -> ", path.Skip(start).Append(implied.Value))}");
            else if (path.Count >= MaxDepth)
                errors.Add(implied.Spot, $"'{role.Id}' implies '{implied.Value}' {MaxDepth + 1} roles down from '{path[0]}': implications nest at most {MaxDepth} deep");
            else if (byId.TryGetValue(implied.Value, out var next))
                Walk(next, path, byId, finished, errors);
        }
        path.RemoveAt(path.Count - 1);
        finished.Add(role.Id);
    }
}
