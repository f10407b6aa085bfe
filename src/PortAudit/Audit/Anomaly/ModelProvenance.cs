namespace PortAudit.Audit.Anomaly;

/// <summary>One input a model was trained on.</summary>
/// <param name="Name">The path as given.</param>
/// <param name="Sha256">Its SHA-256, or null when it is no file (standard input, an interface).</param>
public sealed record ModelInput(string Name, string? Sha256);

/// <summary>What a model was trained on: the inputs, the time they span, the inventory, the catalog and the site's rules.</summary>
/// <param name="Tool">The PortAudit version that trained it.</param>
/// <param name="Inputs">The inputs, in the order read.</param>
/// <param name="FirstNs">First packet or record, nanoseconds since the epoch (0 when none).</param>
/// <param name="LastNs">Last packet or record.</param>
/// <param name="Inventory">The inventory's path as given.</param>
/// <param name="InventorySha256">The inventory's SHA-256: an audit with another inventory refuses the model.</param>
/// <param name="Catalog">The catalog's name.</param>
/// <param name="CatalogSha256">The catalog's digest (its version: the files it holds).</param>
/// <param name="AllowedFlows">Flows a rule allowed, which the models were fitted on.</param>
public sealed record ModelProvenance(string Tool, IReadOnlyList<ModelInput> Inputs, long FirstNs, long LastNs, string Inventory,
    string? InventorySha256, string Catalog, string? CatalogSha256, long AllowedFlows)
{
    /// <summary>
    /// The site rule files merged with the catalog (<c>learn --local-rules</c>), each with its SHA-256: the flows they
    /// allow were learned as the documents' are. Empty without.
    /// </summary>
    public IReadOnlyList<ModelInput> LocalRules { get; init; } = [];
}
