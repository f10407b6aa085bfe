using PortAudit.Catalog;
namespace PortAudit.Report.Catalogs;

/// <summary>
/// The <c>--check</c> report: counts per product and per role, so that an author sees at a
/// glance what a change added, which roles no rule uses yet and which protocols inspection cannot confirm.
/// </summary>
public static class CatalogSummaryWriter
{
    /// <summary>Writes the summary of a catalog that loaded without errors.</summary>
    public static void Write(TextWriter output, RoleCatalog catalog, string directory)
    {
        output.WriteLine($"catalog {directory}: OK, {catalog.Rules.Count} rules, {catalog.Roles.Count} roles, {catalog.Features.Count} features");
        output.WriteLine();
        output.WriteLine("Rules per product:");
        foreach (var group in catalog.Rules.GroupBy(r => r.Product).OrderBy(g => g.Key, StringComparer.Ordinal))
            output.WriteLine($"  {group.Key,-36} {group.Count(),5}");
        output.WriteLine();
        output.WriteLine("Rules per role (from or to):");
        foreach (var role in catalog.Roles)
        {
            int count = catalog.Rules.Count(r => r.From.Contains(role.Id) || r.To.Contains(role.Id));
            output.WriteLine($"  {role.Id,-36} {count,5}");
        }
        if (catalog.Warnings.Count == 0)
            return;
        output.WriteLine();
        output.WriteLine($"Warnings ({catalog.Warnings.Count}):");
        foreach (var warning in catalog.Warnings)
            output.WriteLine($"  {warning}");
    }
}
