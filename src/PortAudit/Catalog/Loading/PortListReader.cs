namespace PortAudit.Catalog.Loading;

/// <summary>Turns the <c>ports</c> field (one value or a list of ports and ranges) into ranges.</summary>
internal static class PortListReader
{
    public static IReadOnlyList<PortRange> Read(Located<string>[] values, ErrorList errors)
    {
        var ranges = new List<PortRange>(values.Length);
        foreach (var value in values)
        {
            if (PortRange.TryParse(value.Value, out var range, out var problem))
                ranges.Add(range);
            else
                errors.Add(value.Spot, problem!);
        }
        return ranges;
    }
}
