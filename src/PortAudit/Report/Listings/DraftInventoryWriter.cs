using System.Globalization;
using System.Text.Json;
using PortAudit.Audit;
using PortAudit.Audit.Drafting;
using PortAudit.Catalog;
using PortAudit.Common;

namespace PortAudit.Report.Listings;

/// <summary>
/// Writes a draft inventory as YAML that <see cref="InventoryLoader"/> reads: each drafted host with its evidence as
/// comments and <c># REVIEW</c> on the entries a reviewer must look at first. With an existing inventory (<c>--merge</c>)
/// its entries are written first, as they load, and only the drafted hosts it lacks follow.
/// </summary>
public static class DraftInventoryWriter
{
    /// <summary>The comment that marks an entry for review.</summary>
    public const string ReviewMark = "# REVIEW";

    // Items of a header list shown (Internet addresses, organisations); the count says how many more.
    private const int MaxUnlistedShown = 12;

    // A header line "# <what>: item, item, ..." ({0} in what: how many), the first MaxUnlistedShown items; none when
    // empty. Organisations come from names in packets: control characters must not end the comment line.
    private static void WriteList(TextWriter writer, string what, IReadOnlyList<string> items)
    {
        if (items.Count == 0) return;
        writer.WriteLine(Comment($"# {string.Format(CultureInfo.InvariantCulture, what, items.Count)}: {string.Join(", ", items.Take(MaxUnlistedShown))}"
                                 + (items.Count > MaxUnlistedShown ? ", ..." : "")));
    }

    /// <summary>Writes <paramref name="draft"/> after the entries of <paramref name="existing"/> (when given).</summary>
    public static void Write(TextWriter writer, InventoryDraft draft, Inventory? existing)
    {
        writer.WriteLine("# Draft inventory drafted from traffic by portaudit (docs/audit.md, \"Drafting an inventory\").");
        writer.WriteLine("# Each drafted entry says why under its name; confirm the roles and names, and look first at the entries marked REVIEW.");
        if (draft.Realms.Count > 0)
            writer.WriteLine(Comment($"# Kerberos realms seen: {string.Join(", ", draft.Realms)}"));
        WriteList(writer, "Left unlisted, in the external zone: {0} Internet addresses whose traffic no catalog rule with the Internet explains"
                          + " (the catalog leaves the Internet unlisted)", draft.UnlistedInternet.Select(a => a.ToString()).ToList());
        WriteList(writer, "Organisations the internal hosts' DNS names name, taken as ours", draft.OwnOrganisations);
        WriteList(writer, "Left unlisted, in the external zone: {0} Internet addresses named only in other organisations' domains"
                          + " that no partner role explains", draft.OtherOrganisations.Select(a => a.ToString()).ToList());
        writer.WriteLine("hosts:");
        foreach (var host in existing?.Hosts ?? [])
            WriteExisting(writer, host);
        if (existing is not null && draft.Hosts.Count > 0)
            writer.WriteLine("  # drafted from traffic: hosts the inventory lacked");
        foreach (var host in draft.Hosts)
            WriteDrafted(writer, host);
        if (existing is null && draft.Hosts.Count == 0)
            writer.WriteLine("  []  # no address did anything a catalog role explains");
        if (existing is { Segments.Count: > 0 })
        {
            writer.WriteLine("segments:");
            foreach (var segment in existing.Segments)
            {
                writer.WriteLine($"  - name: {segment.Name}");
                writer.WriteLine($"    cidrs: {List(segment.Prefixes.Select(Address))}");
                if (segment.Zone is { } zone) writer.WriteLine($"    zone: {zone}");
            }
        }
        if (existing is { Zones.Count: > 0 })
        {
            writer.WriteLine("zones:");
            foreach (var zone in existing.Zones)
            {
                writer.WriteLine($"  - name: {zone.Id}");
                if (zone.Description.Length > 0) writer.WriteLine($"    description: \"{JsonEncodedText.Encode(zone.Description)}\"");
                writer.WriteLine($"    listed: {(zone.Listed ? "true" : "false")}");
            }
        }
        writer.WriteLine($"features: {List(existing?.Features ?? [])}");
        if (existing?.RpcDynamicPorts is { } range) writer.WriteLine($"rpcDynamicPorts: {range}");
        if (existing is { Ignore.Count: > 0 }) writer.WriteLine($"ignore: {List(existing.Ignore.Select(Address))}");
    }

    private static void WriteExisting(TextWriter writer, InventoryHost host)
    {
        writer.WriteLine($"  - name: {host.Name}");
        writer.WriteLine($"    addresses: {List(host.Prefixes.Select(Address))}");
        writer.WriteLine($"    roles: {List(host.Roles)}");
        if (host.RpcDynamicPorts is { } range) writer.WriteLine($"    rpcDynamicPorts: {range}");
        if (host.Features.Count > 0) writer.WriteLine($"    features: {List(host.Features)}");
        if (host.Zone is { } zone) writer.WriteLine($"    zone: {zone}");
    }

    private static void WriteDrafted(TextWriter writer, DraftHost host)
    {
        string confidence = string.Create(CultureInfo.InvariantCulture, $"confidence {host.Confidence:0.00}");
        writer.WriteLine($"  - name: {host.Name}" + (host.NeedsReview ? $"  {ReviewMark} ({confidence})" : $"  # {confidence}"));
        foreach (var line in host.Evidence)
            writer.WriteLine($"    # {Comment(line)}");
        writer.WriteLine($"    addresses: {List(host.Prefixes.Select(Address))}");
        writer.WriteLine($"    roles: {List(host.Roles)}");
    }

    // Quoted when YAML could read it otherwise (IPv6 text holds colons).
    private static string Address(IpPrefix prefix) => prefix.Network.IsV4 ? prefix.ToString() : $"\"{prefix}\"";

    private static string List(IEnumerable<string> items) => "[" + string.Join(", ", items) + "]";

    // Wire text in a comment: one line, printable.
    private static string Comment(string text) => string.Concat(text.Select(c => char.IsControl(c) ? ' ' : c));
}
