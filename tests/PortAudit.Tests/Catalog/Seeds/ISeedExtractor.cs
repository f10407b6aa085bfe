namespace PortAudit.Tests.Catalog.Seeds;

/// <summary>Finds the port requirements in one kind of seed document.</summary>
public interface ISeedExtractor
{
    /// <summary>True when <paramref name="lines"/> are the document this extractor parses.</summary>
    bool Recognises(IReadOnlyList<string> lines);

    /// <summary>Every (port or range, transport) requirement the document states.</summary>
    IEnumerable<SeedRequirement> Extract(string file, IReadOnlyList<string> lines);
}
