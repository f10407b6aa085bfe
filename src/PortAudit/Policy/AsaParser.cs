using PortAudit.Catalog;

namespace PortAudit.Policy;

/// <summary>
/// Reads the access control of a Cisco ASA running-config: <c>access-list</c> (extended, standard, remark), <c>access-group</c>
/// (in, out, global) and the <c>object</c> / <c>object-group</c> definitions they name (network, service, protocol).
/// Each access-list is a chain; each interface's inbound access-list, then the global one, then the implicit deny make a path.
/// An entry naming a service group holding several services becomes one normalised rule per service.
/// </summary>
public static class AsaParser
{
    /// <summary>Parses <paramref name="text"/>, read from <paramref name="file"/>.</summary>
    public static FirewallPolicy Parse(string text, string file, string? name = null)
    {
        var issues = new PolicyIssues();
        var objects = new AsaObjects(issues);
        var acls = new Dictionary<string, List<PolicyRuleBuilder>>(StringComparer.Ordinal);
        var aclOrder = new List<string>();
        var remarks = new Dictionary<string, string>(StringComparer.Ordinal);
        var afterRemark = new HashSet<string>(StringComparer.Ordinal);
        var bindings = new List<(string Acl, string Direction, string? Interface, PolicyLocation Location)>();
        var nat = new List<PolicyRuleBuilder>();
        string? networkObject = null;
        var lines = text.Replace("\r", "", StringComparison.Ordinal).Split('\n');
        // Object definitions may follow their use; read them all first.
        objects.Read(lines, file);
        for (int i = 0; i < lines.Length; i++)
        {
            string line = StripComment(lines[i]);
            var location = new PolicyLocation(file, i + 1);
            var w = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
            if (!line.StartsWith(' ')) networkObject = w is ["object", "network", var named, ..] ? named : null;
            if (w.Count >= 2 && w[0] is "nat" or "static" && (networkObject is not null || !line.StartsWith(' ')))
            {
                nat.Add(Nat(w, line.Trim(), line.StartsWith(' ') ? networkObject : null, location, issues));
                continue;
            }
            if (w.Count < 3 || line.StartsWith(' ')) continue;
            if (w[0] == "access-group")
            {
                if (w is [_, var acl, "global"]) bindings.Add((acl, "global", null, location));
                else if (w is [_, var acl2, "in" or "out", "interface", var iface, ..]) bindings.Add((acl2, w[2], iface, location));
                else issues.Add(location, line, "access-group ACL in|out interface NAME, or access-group ACL global");
                continue;
            }
            if (w[0] != "access-list") continue;
            string aclName = w[1];
            int k = 2;
            if (w[k] == "line" && w.Count > k + 2) k += 2;
            if (!acls.ContainsKey(aclName)) { acls[aclName] = []; aclOrder.Add(aclName); }
            switch (w[k])
            {
                case "remark":
                    // A remark names the entries that follow it; consecutive remark lines make one.
                    string remark = string.Join(' ', w.Skip(k + 1));
                    remarks[aclName] = afterRemark.Contains(aclName) ? remarks[aclName] + " " + remark : remark;
                    afterRemark.Add(aclName);
                    break;
                case "extended" or "standard" when w.Count > k + 1 && w[k + 1] is "permit" or "deny":
                    var entries = AsaEntry.Read(w, k, location, issues, objects);
                    foreach (var entry in entries)
                    {
                        entry.Comment = remarks.GetValueOrDefault(aclName);
                        acls[aclName].Add(entry);
                    }
                    afterRemark.Remove(aclName);
                    break;
                default:
                    issues.Add(location, line, "access-list NAME extended|standard permit|deny ..., or remark");
                    break;
            }
        }
        // Each list shows where it is applied; the paths through those interfaces apply it.
        foreach (var acl in aclOrder)
            if (bindings.Where(b => b.Acl == acl).Select(b => b.Interface is null ? b.Direction : $"{b.Direction} {b.Interface}").ToList() is { Count: > 0 } on)
                foreach (var entry in acls[acl]) entry.AppliesOn = string.Join(", ", on);
        var chains = aclOrder.Select(acl => new PolicyChain
        {
            Name = acl, Rules = acls[acl].Select((r, i) => r.Build(acl, i + 1)).ToList(),
            Location = acls[acl].FirstOrDefault()?.Location ?? new PolicyLocation(file, 0),
        }).ToList();
        if (nat.Count > 0)
            chains.Add(new PolicyChain { Name = "nat", Rules = nat.Select((r, i) => r.Build("nat", i + 1)).ToList(), Location = nat[0].Location, IsNat = true });
        var (paths, pathChains) = Paths(bindings, aclOrder, acls.Keys, issues, file);
        return new FirewallPolicy
        {
            Name = name ?? Path.GetFileName(file), File = file, Format = PolicyFormat.Asa, Chains = [.. chains, .. pathChains],
            // A group refused is reported at its own line when first used: back in file order.
            Paths = paths, Issues = issues.All.OrderBy(issue => issue.Location.Line).ToList(),
        };
    }

    // "nat (inside,outside) source static ...", " nat (inside,outside) dynamic interface" under an object network, and the
    // older "static (inside,outside) ...": understood (its interfaces kept), not evaluated, as ASA NAT rewrites before the
    // access-lists see the real addresses and its twice-NAT order is beyond a flow record.
    private static PolicyRuleBuilder Nat(List<string> w, string text, string? networkObject, PolicyLocation location, PolicyIssues issues)
    {
        var rule = new PolicyRuleBuilder(location, issues);
        if (w.Count > 1 && w[1] is ['(', .., ')'] pair && pair[1..^1].Split(',') is [var real, var mapped])
        {
            rule.InInterface = real == "any" ? null : real;
            rule.OutInterface = mapped == "any" ? null : mapped;
        }
        rule.Translate(w[0], networkObject is null ? text : $"object network {networkObject}: {text}", null);
        return rule;
    }

    private static string StripComment(string line)
    {
        int bang = line.IndexOf(" !", StringComparison.Ordinal);
        return (bang >= 0 ? line[..bang] : line).TrimEnd();
    }

    // Interface paths: its inbound list, then the global one, then the implicit deny. Without bindings every list is a path.
    private static (List<PolicyPath>, List<PolicyChain>) Paths(List<(string Acl, string Direction, string? Interface, PolicyLocation Location)> bindings,
        List<string> order, IEnumerable<string> defined, PolicyIssues issues, string file)
    {
        var known = defined.ToHashSet(StringComparer.Ordinal);
        foreach (var binding in bindings.Where(b => !known.Contains(b.Acl)))
            issues.Add(binding.Location, $"access-group {binding.Acl}", "an access-list of that name in the file");
        var usable = bindings.Where(b => known.Contains(b.Acl)).ToList();
        string? global = usable.FirstOrDefault(b => b.Direction == "global").Acl;
        var inbound = usable.Where(b => b.Direction == "in").ToList();
        var chosen = inbound.Count > 0 || global is not null ? inbound : usable.Where(b => b.Direction == "out").ToList();
        var entries = chosen.Select(b => ($"{b.Direction} {b.Interface}", (string?)b.Acl)).ToList();
        if (entries.Count == 0 && global is not null) entries.Add(("global", null));
        if (usable.Count == 0) entries = order.Select(acl => ($"acl {acl}", (string?)acl)).ToList();
        var paths = new List<PolicyPath>();
        var chains = new List<PolicyChain>();
        foreach (var (pathName, acl) in entries)
        {
            var location = new PolicyLocation(file, 0);
            var jumps = new[] { acl, acl is null || !inbound.Any(b => b.Acl == acl) ? null : global }
                .Where(a => a is not null).Concat(acl is null ? [global] : [])
                .Select((target, i) => new PolicyRule { Id = $"{pathName}#{i + 1}", Chain = pathName, Location = location, Action = PolicyAction.Jump, Target = target })
                .ToList();
            chains.Add(new PolicyChain { Name = pathName, Hook = pathName, DefaultPolicy = PolicyAction.Drop, Rules = jumps, Location = location });
            paths.Add(new PolicyPath(pathName, [pathName]) { Interface = pathName.StartsWith("in ", StringComparison.Ordinal) || pathName.StartsWith("out ", StringComparison.Ordinal) ? pathName : null });
        }
        return (paths, chains);
    }
}
