using System.Text.RegularExpressions;
using PortAudit.Catalog;

namespace PortAudit.Tests.Catalog;

/// <summary>Every protocol rules/ names is confirmed by an inspector's label or listed in docs/inspect.md with its reason.</summary>
[Trait(Tier.Name, Tier.Unit)]
public class PortOnlyProtocolsTests
{
    [Fact]
    public void ProtocolsWithoutLabelsAreExactlyThoseTheDocsExplain()
    {
        var named = Directory.GetFiles(SharedData.InRepository("rules"), "*.yaml")
            .SelectMany(File.ReadLines)
            .Select(line => Regex.Match(line, @"^\s+protocol:\s*([a-z0-9-]+)\s*$"))
            .Where(m => m.Success)
            .Select(m => m.Groups[1].Value)
            .ToHashSet();
        // An empty list (no inspector labels it; any label found contradicts it) is matched by port too.
        var unlabelled = named.Where(p => ProtocolLabels.For(p) is null or { Count: 0 }).Order().ToList();
        string docs = File.ReadAllText(SharedData.InRepository("docs/inspect.md"));
        int start = docs.IndexOf("## Catalog protocols matched by port only", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/inspect.md has no port-only section");
        var section = docs[start..docs.IndexOf("\n## ", start + 1, StringComparison.Ordinal)];
        var explained = section.Split('\n')
            .Where(l => l.StartsWith("| `", StringComparison.Ordinal))
            .SelectMany(l => Regex.Matches(l.Split('|')[1], "`([a-z0-9-]+)`").Select(m => m.Groups[1].Value))
            .Order().ToList();
        Assert.Equal(unlabelled, explained);
        Assert.Contains("ftp", named.Except(unlabelled));
    }
}
