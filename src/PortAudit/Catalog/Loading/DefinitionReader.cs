using System.Text.RegularExpressions;

namespace PortAudit.Catalog.Loading;

/// <summary>One entry of a definitions file: its id, its description and, for a role, the roles it implies as written.</summary>
internal sealed record Definition(string Id, string Description, IReadOnlyList<Located<string>> Implies)
{
    /// <summary>For a role, <c>partner: true</c>: another organisation's host.</summary>
    public bool Partner { get; init; }
}

/// <summary>
/// Reads a list of id/description entries: the roles file and the features file share this shape (roles may add
/// <c>implies</c>, see <see cref="RoleImplicationChecker"/>).
/// </summary>
internal static partial class DefinitionReader
{
    /// <summary>The field of a role that lists the roles every host with it also plays.</summary>
    public const string ImpliesKey = "implies";

    /// <summary>The field of a role that says another organisation's hosts play it.</summary>
    public const string PartnerKey = "partner";

    private static readonly string[] EntryKeys = ["id", "description"];

    /// <summary>Entries under <paramref name="listKey"/>; ids must be kebab-case and unique. Only roles may imply others.</summary>
    public static IReadOnlyList<Located<Definition>> Read(
        string path, string displayName, string listKey, ErrorList errors)
    {
        var result = new List<Located<Definition>>();
        string[] keys = listKey == "roles" ? [.. EntryKeys, ImpliesKey, PartnerKey] : EntryKeys;
        var root = YamlDocumentReader.ReadRoot(path, displayName, errors);
        if (root is null)
            return result;
        var file = new MappingReader(root, displayName, errors, [listKey]);
        var seen = new Dictionary<string, SourceSpot>(StringComparer.Ordinal);
        foreach (var node in file.Items(listKey))
        {
            var entry = new MappingReader(node, displayName, errors, keys);
            var id = entry.Text("id", required: true);
            var description = entry.Text("description", required: true);
            var implies = entry.TextList(ImpliesKey);
            // Read for roles only: a features entry's partner field is an unknown field, and only that.
            bool partner = listKey == "roles" && entry.Flag(PartnerKey, false);
            if (id is not { } idValue || description is not { } text)
                continue;
            if (!(listKey == "features" ? IsFeatureIdentifier(idValue.Value) : IsIdentifier(idValue.Value)))
                errors.Add(idValue.Spot, $"bad id '{idValue.Value}': use lower-case words joined by '-'");
            else if (seen.TryGetValue(idValue.Value, out var first))
                errors.Add(idValue.Spot, $"duplicate id '{idValue.Value}' (first defined at line {first.Line})");
            else
            {
                seen.Add(idValue.Value, idValue.Spot);
                result.Add(new Located<Definition>(new Definition(idValue.Value, text.Value, implies) { Partner = partner }, idValue.Spot));
            }
        }
        return result;
    }

    /// <summary>Ids are kebab-case so that they read the same in YAML, JSON and on the command line.</summary>
    public static bool IsIdentifier(string id) => IdPattern().IsMatch(id);

    /// <summary>
    /// A feature id may carry its product as a prefix (<c>unity.https-disabled</c>): products are configured one by one,
    /// so one product's switch must not turn another's rules off.
    /// </summary>
    public static bool IsFeatureIdentifier(string id) => FeaturePattern().IsMatch(id);

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("^([a-z0-9]+(-[a-z0-9]+)*\\.)?[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex FeaturePattern();
}
