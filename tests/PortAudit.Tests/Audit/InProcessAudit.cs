using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Tests.Catalog;

namespace PortAudit.Tests.Audit;

/// <summary>
/// The small catalog and inventory of <see cref="AuditCommandTests"/> in a throw-away directory, audited in process
/// through the library's <see cref="AuditRun"/> as the audit command does.
/// </summary>
internal sealed class InProcessAudit : IDisposable
{
    private readonly TempCatalog _catalog = new(AuditCommandTests.Rules);

    /// <summary>The throw-away directory: captures and the inventory go here.</summary>
    public string Root => _catalog.Root;

    /// <summary>The audit's --out.</summary>
    public string OutDir => Path.Combine(_catalog.Root, "out");

    /// <summary>Writes ROOT/capture.pcap: an answered connection from ws to srv on each port.</summary>
    public string Capture(params ushort[] ports) => AuditCommandTests.WriteCapture(_catalog.Root, ports);

    /// <summary>Marks the catalog's one rule periodic, so that its absence can be a missing finding.</summary>
    public void MakePeriodic(string every) =>
        File.WriteAllText(Path.Combine(_catalog.Dir, "test.yaml"), AuditCommandTests.Rules.Replace("protocol: epm", $"protocol: epm\n    every: {every}"));

    /// <summary>Loads catalog and inventory and opens an audit writing to <see cref="OutDir"/>; <paramref name="adjust"/> changes the settings.</summary>
    public AuditRun Open(Func<AuditSettings, AuditSettings>? adjust = null, FlowTableOptions? flowOptions = null)
    {
        string inventory = Path.Combine(_catalog.Root, "inventory.yaml");
        File.WriteAllText(inventory, AuditCommandTests.Inventory);
        var catalog = CatalogLoader.Load(_catalog.Dir);
        var context = AuditContext.Create(catalog, InventoryLoader.Load(inventory, catalog));
        var settings = new AuditSettings { OutputDirectory = OutDir, InventoryName = inventory, CatalogName = _catalog.Dir };
        return new AuditRun(context, adjust?.Invoke(settings) ?? settings, flowOptions ?? new FlowTableOptions());
    }

    public void Dispose() => _catalog.Dispose();
}
