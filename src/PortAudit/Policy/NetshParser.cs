namespace PortAudit.Policy;

/// <summary>
/// Reads Windows Defender Firewall rules as netsh writes them: the blocks of
/// <c>netsh advfirewall firewall show rule name=all verbose</c> ("Rule Name:", "Direction:", ..., separated by dashes), and
/// <c>netsh advfirewall firewall add rule name=... dir=in action=allow ...</c> commands (lines starting with ':' are comments).
/// </summary>
public static class NetshParser
{
    /// <summary>Parses <paramref name="text"/>, read from <paramref name="file"/>.</summary>
    public static FirewallPolicy Parse(string text, string file, string? name = null)
    {
        var issues = new PolicyIssues();
        var rules = new List<WindowsRuleFields>();
        Dictionary<string, string>? block = null;
        int blockLine = 0;
        var lines = text.Replace("\r", "", StringComparison.Ordinal).Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            var location = new PolicyLocation(file, i + 1);
            if (line.Length == 0 || line[0] == ':' || line.StartsWith("---", StringComparison.Ordinal) || line.StartsWith("Ok.", StringComparison.Ordinal)) continue;
            if (line.StartsWith("netsh", StringComparison.OrdinalIgnoreCase))
            {
                var words = ShellWords.Split(line);
                int add = words.FindIndex(w => w.Equals("add", StringComparison.OrdinalIgnoreCase));
                if (add < 0 || add + 1 >= words.Count || !words[add + 1].Equals("rule", StringComparison.OrdinalIgnoreCase))
                {
                    issues.Add(location, line, "netsh advfirewall firewall add rule ...");
                    continue;
                }
                var pairs = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (string word in words.Skip(add + 2))
                    if (word.IndexOf('=') is > 0 and var eq) pairs[word[..eq]] = word[(eq + 1)..];
                rules.Add(Fields(pairs, location, issues));
                continue;
            }
            int colon = line.IndexOf(':');
            if (colon <= 0) { issues.Add(location, line, "\"Field: value\" of netsh show rule verbose, or a netsh add rule command"); continue; }
            string key = line[..colon].Trim(), value = line[(colon + 1)..].Trim();
            if (key.Equals("Rule Name", StringComparison.OrdinalIgnoreCase))
            {
                if (block is not null) rules.Add(Fields(block, new PolicyLocation(file, blockLine), issues));
                block = new(StringComparer.OrdinalIgnoreCase);
                blockLine = i + 1;
            }
            if (block is null) { issues.Add(location, line, "Rule Name: first"); continue; }
            block[Shown.GetValueOrDefault(key, key)] = value;
        }
        if (block is not null) rules.Add(Fields(block, new PolicyLocation(file, blockLine), issues));
        return WindowsRules.Policy(rules, issues, file, name, PolicyFormat.Netsh);
    }

    // The verbose listing's field names, as the add rule command names them.
    private static readonly Dictionary<string, string> Shown = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Rule Name"] = "name", ["Enabled"] = "enable", ["Direction"] = "dir", ["LocalIP"] = "localip", ["RemoteIP"] = "remoteip",
        ["Protocol"] = "protocol", ["LocalPort"] = "localport", ["RemotePort"] = "remoteport", ["Action"] = "action",
        ["Program"] = "program", ["Service"] = "service", ["InterfaceTypes"] = "interfacetype", ["Profiles"] = "profile",
    };

    // Read but not deciding a flow's verdict (profile: which is active is not in the export; description, grouping: words).
    private static readonly HashSet<string> Ignored = new(StringComparer.OrdinalIgnoreCase)
    {
        "name", "enable", "dir", "localip", "remoteip", "protocol", "localport", "remoteport", "action", "profile", "description",
        "grouping", "group", "edge", "edge traversal", "rule source", "security", "type", "code", "interfacetype",
    };

    private static WindowsRuleFields Fields(Dictionary<string, string> pairs, PolicyLocation location, PolicyIssues issues)
    {
        var restrictions = new List<string>();
        foreach (var (key, value) in pairs)
        {
            if (Ignored.Contains(key) || value.Equals("any", StringComparison.OrdinalIgnoreCase)) continue;
            if (key is "program" or "service" or "icmptype" or "localip-type") restrictions.Add($"{key}={value}");
            else
            {
                issues.Add(location, $"{key}={value}", "a field that decides a connection (dir, action, protocol, localip, remoteip, localport, remoteport)");
                restrictions.Add($"{key}={value}");
            }
        }
        if (pairs.GetValueOrDefault("interfacetype") is { } type && !type.Equals("any", StringComparison.OrdinalIgnoreCase))
            restrictions.Add($"interfacetype={type}");
        string dir = pairs.GetValueOrDefault("dir") ?? "in";
        return new WindowsRuleFields(location, pairs.GetValueOrDefault("name"))
        {
            Enabled = !(pairs.GetValueOrDefault("enable") ?? "yes").StartsWith("n", StringComparison.OrdinalIgnoreCase),
            Inbound = dir.StartsWith("in", StringComparison.OrdinalIgnoreCase),
            Action = pairs.GetValueOrDefault("action"),
            Protocol = pairs.GetValueOrDefault("protocol"),
            LocalAddress = pairs.GetValueOrDefault("localip"),
            RemoteAddress = pairs.GetValueOrDefault("remoteip"),
            LocalPort = pairs.GetValueOrDefault("localport"),
            RemotePort = pairs.GetValueOrDefault("remoteport"),
            Restrictions = restrictions,
        };
    }
}
