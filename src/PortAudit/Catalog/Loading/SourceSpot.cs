using PortAudit.Sources.Records;
using YamlDotNet.Core;

namespace PortAudit.Catalog.Loading;

/// <summary>A place in a catalog file, kept with each value so that later checks can point at it.</summary>
internal readonly record struct SourceSpot(string File, int Line, int Column)
{
    public static SourceSpot At(string file, Mark mark) => new(file, (int)mark.Line, (int)mark.Column);

    public CatalogError Error(string problem) => new(File, Line, Column, problem);
}

/// <summary>A value read from a catalog file together with where it was written.</summary>
internal readonly record struct Located<T>(T Value, SourceSpot Spot);

/// <summary>
/// The values and the places of located texts, in plain loops: LINQ over <see cref="Located{T}"/>, a value type, is
/// JIT-compiled at every start (docs/performance.md, Startup).
/// </summary>
internal static class LocatedTexts
{
    public static string[] Values(Located<string>[] items)
    {
        var values = new string[items.Length];
        for (int i = 0; i < items.Length; i++) values[i] = items[i].Value;
        return values;
    }

    public static SourceSpot[] Spots(Located<string>[] items)
    {
        var spots = new SourceSpot[items.Length];
        for (int i = 0; i < items.Length; i++) spots[i] = items[i].Spot;
        return spots;
    }
}
