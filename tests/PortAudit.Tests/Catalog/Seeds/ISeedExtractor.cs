namespace PortAudit.Tests.Catalog.Seeds;

/// <summary>Finds the port requirements in one kind of seed document.</summary>
public interface ISeedExtractor
{
    /// <summary>True when <paramref name="lines"/> are the document this extractor parses.</summary>
    bool Recognises(IReadOnlyList<string> lines);

    /// <summary>Every (port or range, transport) requirement the document states.</summary>
    IEnumerable<SeedRequirement> Extract(string file, IReadOnlyList<string> lines);
}

/// <summary>
/// An extractor for a document recognised by a phrase of its title and read line by line,
/// which is how four of the five documents state their ports.
/// </summary>
public abstract class LineSeedExtractor : ISeedExtractor
{
    /// <summary>A phrase found only in this document's title lines.</summary>
    protected abstract string Title { get; }

    public bool Recognises(IReadOnlyList<string> lines) =>
        lines.Take(20).Any(l => l.Contains(Title, StringComparison.Ordinal));

    public virtual IEnumerable<SeedRequirement> Extract(string file, IReadOnlyList<string> lines) =>
        lines.SelectMany((line, i) => ExtractLine(file, i + 1, line));

    /// <summary>The requirements stated on one line (1-based <paramref name="number"/>).</summary>
    protected abstract IEnumerable<SeedRequirement> ExtractLine(string file, int number, string line);
}
