using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Flows;

namespace PortAudit.Report;

/// <summary>What kind of input a run read, which decides whether it can be digested.</summary>
public enum InputKind
{
    /// <summary>A file, digested.</summary>
    File,

    /// <summary>Standard input ("-"): read once, so not digested.</summary>
    StandardInput,

    /// <summary>Anything else (a live interface, a collector): no bytes to digest.</summary>
    Other,

    /// <summary>A named pipe (a shell's process substitution): read once, so not digested, as standard input.</summary>
    Pipe,
}

/// <summary>One input of a run and its digest.</summary>
/// <param name="Name">As named on the command line or by its source.</param>
/// <param name="Kind">What it is.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of its bytes, or null when it is not a file (or could not be read).</param>
/// <param name="Bytes">Its size, or null when not a file.</param>
public sealed record InputDigest(string Name, InputKind Kind, string? Sha256, long? Bytes);

/// <summary>The catalog as a digest of the files the loader reads.</summary>
/// <param name="Name">The directory as the report names it.</param>
/// <param name="Sha256">SHA-256 over each file's name and SHA-256, in name order (<see cref="Digests.OfCatalog"/>); null when unreadable.</param>
/// <param name="Files">The files digested, in name order.</param>
public sealed record CatalogDigest(string Name, string? Sha256, IReadOnlyList<string> Files);

/// <summary>
/// Where a report comes from, so that it can be reproduced and trusted: the tool's version, each input with its digest,
/// the inventory's and the catalog's digests, the options that change results, and the time span the capture covers.
/// report.json starts with it.
/// </summary>
/// <param name="ToolVersion">The informational version of the PortAudit library (version and commit).</param>
/// <param name="Inputs">Every input, in reading order: frame references of findings name them by position.</param>
/// <param name="Inventory">The inventory file.</param>
/// <param name="Catalog">The catalog directory.</param>
/// <param name="FlowOptions">Flow-table timeouts and limits.</param>
/// <param name="FailOn">Finding kinds that fail the run.</param>
/// <param name="FirstNs">Time of the first packet (of the first flow, when flow records were read), nanoseconds since the epoch (0 when none).</param>
/// <param name="LastNs">Time of the last packet (of the last flow, when flow records were read), nanoseconds since the epoch (0 when none).</param>
public sealed record AuditProvenance(
    string ToolVersion,
    IReadOnlyList<InputDigest> Inputs,
    InputDigest Inventory,
    CatalogDigest Catalog,
    FlowTableOptions FlowOptions,
    IReadOnlyList<FindingKind> FailOn,
    long FirstNs,
    long LastNs)
{
    /// <summary>
    /// Nanoseconds the packets read cover (<see cref="Flows.TrafficStatistics.CoveredNs"/>: per input, first packet to
    /// last, joined as a union); null for <see cref="LastNs"/> − <see cref="FirstNs"/>.
    /// </summary>
    public long? CoveredNs { get; init; }

    /// <summary>The shortest capture span that lets a never-seen required rule be missing (--min-span).</summary>
    public TimeSpan MinimumSpan { get; init; }

    /// <summary>The suppression file, when one was given.</summary>
    public InputDigest? Suppressions { get; init; }

    /// <summary>The baseline report, when one was given.</summary>
    public InputDigest? Baseline { get; init; }

    /// <summary>The site rule files merged with the catalog (<c>--local-rules</c>); empty without.</summary>
    public IReadOnlyList<InputDigest> LocalRules { get; init; } = [];

    /// <summary>The anomaly model file (<c>--model</c>), when one was given.</summary>
    public InputDigest? Model { get; init; }

    /// <summary>The name of input <paramref name="input"/> (1-based, as <see cref="Flow.Input"/>), or null when out of range.</summary>
    public string? InputName(int input) => input >= 1 && input <= Inputs.Count ? Inputs[input - 1].Name : null;
}
