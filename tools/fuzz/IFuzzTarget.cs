using PortAudit.Common;

namespace PortAudit.Fuzz;

/// <summary>
/// One input format the harness mutates and feeds to the library the way a command would: captures to an audit,
/// inventories and catalogs to their loaders.
/// </summary>
public interface IFuzzTarget
{
    /// <summary>Short name used on the command line and in finding file names.</summary>
    string Name { get; }

    /// <summary>True for formats read as text (YAML): the text mutations apply besides the byte ones.</summary>
    bool IsText { get; }

    /// <summary>The unmutated inputs; empty when none was found (the target is then skipped with a note).</summary>
    IReadOnlyList<FuzzSeed> Seeds { get; }

    /// <summary>
    /// Runs one input: returns how the library took it, or throws. An <see cref="InputException"/> is a clear refusal
    /// (what the CLI turns into exit 2); any other exception is a crash.
    /// </summary>
    FuzzVerdict Run(FuzzSeed seed, byte[] input, string scratch);
}

/// <summary>One unmutated input: a name for reports and its bytes.</summary>
public sealed record FuzzSeed(string Name, byte[] Bytes);

/// <summary>How the library took an input that neither crashed nor hung.</summary>
public enum FuzzVerdict
{
    /// <summary>Read without complaint.</summary>
    Accepted,

    /// <summary>Refused, or read in part, with an error naming what was wrong.</summary>
    Rejected,
}
