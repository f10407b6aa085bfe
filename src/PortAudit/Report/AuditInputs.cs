using PortAudit.Audit;

namespace PortAudit.Report;

/// <summary>What an audit read, for the head of the HTML report: the report itself only holds conclusions.</summary>
/// <param name="Captures">The captures as named on the command line.</param>
/// <param name="FirstNs">Time of the first packet (of the first flow, when flow records were read), nanoseconds since the epoch (0 when none).</param>
/// <param name="LastNs">Time of the last packet (of the last flow, when flow records were read), nanoseconds since the epoch (0 when none).</param>
/// <param name="InventoryName">The inventory file as named on the command line.</param>
/// <param name="CatalogName">The catalog directory used.</param>
/// <param name="Context">The catalog and inventory as the audit applied them: rules (with their source rows) and host roles.</param>
public sealed record AuditInputs(
    IReadOnlyList<string> Captures, long FirstNs, long LastNs, string InventoryName, string CatalogName, AuditContext Context)
{
    /// <summary>Digests, options and version behind the report; null when the caller did not collect them.</summary>
    public AuditProvenance? Provenance { get; init; }
}
