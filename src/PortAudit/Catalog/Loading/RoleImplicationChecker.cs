using PortAudit.Common;

namespace PortAudit.Catalog.Loading;

/// <summary>
/// Checks the roles' <c>implies</c> lists: every implied role is defined, and no role implies itself through others
/// (a cycle would make two roles one, which the catalog should say by merging them). Each problem is reported at the
/// implied role as written.
/// </summary>
internal static class RoleImplicationChecker
{
    public static void Check(IReadOnlyList<Definition> roles, ErrorList errors)
    {
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
            else if (byId.TryGetValue(implied.Value, out var next))
                Walk(next, path, byId, finished, errors);
        }
        path.RemoveAt(path.Count - 1);
        finished.Add(role.Id);
    }
}
