using YamlDotNet.RepresentationModel;

namespace PortAudit.Catalog.Loading;

/// <summary>
/// Reads a rule's <c>serverNames</c> field: the names (<c>sip.contoso.com</c>) and subdomain patterns (<c>*.lync.com</c>)
/// its flows may name their server by (<see cref="ServerName"/>).
/// </summary>
internal static class ServerNameListReader
{
    private const string Key = "serverNames";

    /// <summary>The names, or null when the field is absent or wrong (each mistake reported at its value).</summary>
    public static IReadOnlyList<ServerName>? Read(MappingReader entry, ErrorList errors)
    {
        if (entry.Node(Key) is not { } node)
            return null;
        // "serverNames: []" would read as a narrowing yet allow no named server, as "ports: []" would.
        if (node is YamlSequenceNode { Children.Count: 0 })
        {
            errors.Add(entry.SpotOf(node), $"field '{Key}' is empty: list the names the rule's servers are reached by, or leave it out for any");
            return null;
        }
        var names = new List<ServerName>();
        int errorsBefore = errors.Count;
        foreach (var value in entry.TextList(Key))
        {
            string text = value.Value.Trim();
            if (ServerName.TryParse(text, out var name, out string problem)) names.Add(name);
            else errors.Add(value.Spot, $"bad server name '{text}': {problem}");
        }
        return errors.Count > errorsBefore ? null : names;
    }
}
