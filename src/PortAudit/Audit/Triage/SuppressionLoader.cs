using System.Globalization;
using PortAudit.Catalog;
using PortAudit.Catalog.Loading;
using PortAudit.Common;

namespace PortAudit.Audit.Triage;

/// <summary>
/// Reads a suppression file: a top-level <c>suppressions</c> list, each entry with at least one matcher (<c>id</c>,
/// <c>kind</c>, <c>rule</c>, <c>client</c>, <c>server</c>, <c>port</c>, <c>transport</c>) and the required
/// <c>justification</c>, <c>owner</c> and <c>expires</c> (an ISO date). The file is held to the limits and strictness
/// of every YAML file PortAudit reads; every problem is reported at once as file:line:column.
/// </summary>
public static class SuppressionLoader
{
    private static readonly string[] Matchers = ["id", "kind", "rule", "client", "server", "port", "transport"];
    private static readonly string[] EntryKeys = [.. Matchers, "justification", "owner", "expires"];

    /// <summary>
    /// Loads <paramref name="path"/>; roles and rules are checked against <paramref name="catalog"/>, so that an entry
    /// naming something that does not exist (a typo, a rule since renamed) is refused rather than silently matching nothing.
    /// </summary>
    /// <exception cref="SuppressionException">The file is missing or invalid.</exception>
    public static IReadOnlyList<Suppression> Load(string path, RoleCatalog catalog)
    {
        var errors = new ErrorList();
        var entries = new List<Suppression>();
        if (!File.Exists(path))
            errors.Add(new SourceSpot(path, 1, 1), YamlText.NotAFile(path, "suppression"));
        else if (YamlDocumentReader.ReadRoot(path, path, errors) is { } root)
        {
            var file = new MappingReader(root, path, errors, ["suppressions"]);
            foreach (var node in file.Items("suppressions"))
                if (Read(new MappingReader(node, path, errors, EntryKeys), catalog, errors) is { } entry)
                    entries.Add(entry);
        }
        if (errors.Count > 0)
            throw new SuppressionException(errors.Kept, errors.Count);
        return entries;
    }

    private static Suppression? Read(MappingReader entry, RoleCatalog catalog, ErrorList errors)
    {
        int before = errors.Count;
        if (!Matchers.Any(key => entry.Node(key) is not null))
            errors.Add(entry.Spot, $"entry matches every finding: give at least one of {string.Join(", ", Matchers)}");
        var id = entry.Text("id", required: false);
        if (id is { } i && (i.Value.Length != 16 || !i.Value.All(char.IsAsciiHexDigit)))
            errors.Add(i.Spot, $"bad id '{i.Value}': a finding id is 16 hex digits (report.json's \"id\")");
        var kind = ReadKind(entry, errors);
        var rule = entry.Text("rule", required: false);
        if (rule is { } r && !catalog.Rules.Any(x => x.Id == r.Value))
            errors.Add(r.Spot, $"unknown rule '{r.Value}'");
        var client = ReadEnd(entry, "client", catalog, errors);
        var server = ReadEnd(entry, "server", catalog, errors);
        var port = ReadPort(entry, errors);
        var transport = entry.Text("transport", required: false);
        var justification = entry.Text("justification", required: true);
        var owner = entry.Text("owner", required: true);
        var expires = ReadDate(entry, errors);
        if (errors.Count > before || justification is null || owner is null || expires is null)
            return null;
        return new Suppression
        {
            Id = id?.Value.ToLowerInvariant(), Kind = kind, Rule = rule?.Value, Client = client, Server = server, Port = port,
            Transport = transport?.Value.ToLowerInvariant(), Justification = justification.Value.Value, Owner = owner.Value.Value,
            Expires = expires.Value, Source = $"{entry.Spot.File}:{entry.Spot.Line}:{entry.Spot.Column}",
        };
    }

    private static FindingKind? ReadKind(MappingReader entry, ErrorList errors)
    {
        if (entry.Text("kind", required: false) is not { } text)
            return null;
        foreach (var kind in FindingNames.AllKinds)
            if (kind.Name() == text.Value)
                return kind;
        errors.Add(text.Spot, $"unknown kind '{text.Value}' (expected {string.Join(", ", FindingNames.AllKinds.Select(k => k.Name()))}){Spelling.Suggestion(text.Value, FindingNames.AllKinds.Select(k => k.Name()))}");
        return null;
    }

    private static EndPattern? ReadEnd(MappingReader entry, string key, RoleCatalog catalog, ErrorList errors)
    {
        if (entry.Text(key, required: false) is not { } text)
            return null;
        var pattern = EndPattern.Parse(text.Value, out string? problem);
        if (pattern is null)
            errors.Add(text.Spot, $"{key}: {problem}");
        else if (pattern is RolePattern role && catalog.FindRole(role.Role) is null)
            errors.Add(text.Spot, $"{key}: unknown role '{role.Role}' (roles are defined in the catalog's {CatalogLoader.RolesFile}){Spelling.Suggestion(role.Role, catalog.Roles.Select(r => r.Id))}");
        return pattern;
    }

    private static PortRange? ReadPort(MappingReader entry, ErrorList errors)
    {
        if (entry.Text("port", required: false) is not { } text)
            return null;
        if (PortRange.TryParse(text.Value, out var range, out string? problem))
            return range;
        errors.Add(text.Spot, $"port: {problem}");
        return null;
    }

    private static DateOnly? ReadDate(MappingReader entry, ErrorList errors)
    {
        if (entry.Text("expires", required: true) is not { } text)
            return null;
        if (DateOnly.TryParseExact(text.Value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            return date;
        errors.Add(text.Spot, $"expires: '{text.Value}' is not a date: expected YYYY-MM-DD");
        return null;
    }
}
