namespace PortAudit.Catalog.Loading;

/// <summary>Reads zones.yaml: <c>zones</c>, each with an id, a description and whether its hosts are listed.</summary>
internal static class ZoneReader
{
    private static readonly string[] EntryKeys = ["id", "description", "listed"];

    /// <summary>The zones, in file order; ids must be kebab-case and unique.</summary>
    public static IReadOnlyList<Zone> Read(string path, string displayName, ErrorList errors)
    {
        var zones = new List<Zone>();
        var root = YamlDocumentReader.ReadRoot(path, displayName, errors);
        if (root is null)
            return zones;
        var file = new MappingReader(root, displayName, errors, ["zones"]);
        foreach (var node in file.Items("zones"))
        {
            var entry = new MappingReader(node, displayName, errors, EntryKeys);
            var id = entry.Text("id", required: true);
            var description = entry.Text("description", required: true);
            bool listed = entry.Flag("listed", fallback: true);
            if (id is not { } idValue || description is not { } text)
                continue;
            if (!DefinitionReader.IsIdentifier(idValue.Value))
                errors.Add(idValue.Spot, $"bad id '{idValue.Value}': use lower-case words joined by '-'");
            else if (zones.Any(z => z.Id == idValue.Value))
                errors.Add(idValue.Spot, $"duplicate zone '{idValue.Value}'");
            else
                zones.Add(new Zone(idValue.Value, text.Value, listed));
        }
        return zones;
    }
}
