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
