using PortAudit.Audit;
using PortAudit.Catalog;
using Serilog;

namespace PortAudit.Cli;

/// <summary>
/// Shows what an inventory allows but its author should know (<see cref="Inventory.Warnings"/>): the library only
/// collects them, so that it never writes to stderr itself; every command that loads an inventory logs them here.
/// </summary>
public static class InventoryWarnings
{
    /// <summary>Logs each of <paramref name="inventory"/>'s warnings, naming the file, and returns the inventory.</summary>
    public static Inventory Log(Inventory inventory, string path, ILogger log)
    {
        foreach (var warning in inventory.Warnings)
            log.Warning("{Inventory}: {Warning}", path, warning);
        return inventory;
    }
}
