using PortAudit.Audit;
using PortAudit.Audit.Firewall;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Policy;

namespace PortAudit.Tests.Policy;

/// <summary>Least-privilege rules for the lab's inventory, written in each firewall's language and read back.</summary>
[Trait(Tier.Name, Tier.Unit)]
public class PolicyEmitTests
{
    internal static IReadOnlyList<AllowRule> LabRules()
    {
        var catalog = CatalogLoader.Load(SharedData.InRepository("rules"));
        return LeastPrivilege.For(AuditContext.Create(catalog, InventoryLoader.Load(SharedData.InRepository("captures/lab.yaml"), catalog)));
    }

    // What a rule allows, without its place: the same in the emitted model and in the policy read back.
    private static string Shape(PolicyRule r) =>
        $"{r.Action} [{string.Join(",", r.Protocols ?? [])}] {r.Source} {r.Destination} {r.DestinationPorts} {r.Comment}";

    [Fact]
    public void An_observed_report_that_is_not_json_is_named_at_its_byte_and_line()
    {
        // The parser's own "LineNumber: 1 | BytePositionInLine: 3" (zero-based) was passed on as the message.
        var catalog = CatalogLoader.Load(SharedData.InRepository("rules"));
        var context = AuditContext.Create(catalog, InventoryLoader.Load(SharedData.InRepository("captures/lab.yaml"), catalog));
        string path = Path.Combine(Path.GetTempPath(), $"observed-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, "{\"coverage\":\n[{\"rule\": }]}");
        try
        {
            var error = Assert.Throws<InputException>(() => LeastPrivilege.Plan(context, path));
            Assert.StartsWith($"{path}: byte 23 (line 2): not valid JSON: ", error.Message);
            Assert.DoesNotContain("LineNumber", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("asa", PolicyFormat.Asa)]
    [InlineData("windows", PolicyFormat.Netsh)]
    [InlineData("nftables", PolicyFormat.NftText)]
    [InlineData("iptables", PolicyFormat.Iptables)]
    public void Emitted_rules_read_back_as_the_same_normalised_policy(string format, PolicyFormat readAs)
    {
        var rules = LabRules();
        string text = PolicyEmitter.Write(rules, format);

        var read = PolicyLoader.Parse(text, $"emitted.{format}", readAs);

        Assert.Empty(read.Issues);
        var expected = rules.Select((r, i) => Shape(r.ToPolicyRule(PolicyEmitter.ChainName, i + 1))).ToList();
        var actual = read.Rules.Where(r => r.Action == PolicyAction.Accept && r.States is null && r.InInterface is null).Select(Shape).ToList();
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++) Assert.Equal(expected[i], actual[i]);
        Assert.True(expected.Count >= 30, $"only {expected.Count} rules");
    }

    [Fact]
    public void The_order_is_stable_and_every_rule_names_its_catalog_rule_and_seed_row()
    {
        string first = PolicyEmitter.Write(LabRules(), "nftables");
        string second = PolicyEmitter.Write(LabRules(), "nftables");

        Assert.Equal(first, second);
        Assert.Contains("ip saddr 10.77.0.20 ip daddr 10.77.0.10 tcp dport 5061 accept comment \"lync-edge-int-sip-out: ", first, StringComparison.Ordinal);
        Assert.DoesNotContain("dport 8000", first, StringComparison.Ordinal);
    }

    [Fact]
    public void The_emitted_policy_allows_what_the_catalog_requires_and_refuses_the_rest()
    {
        var policy = PolicyLoader.Parse(PolicyEmitter.Write(LabRules(), "nftables"), "emitted.nft", PolicyFormat.NftText);

        var sip = PolicyEvaluator.Evaluate(policy, new PolicyQuery(6, IpAddr.Parse("10.77.0.100"), 50000, IpAddr.Parse("10.77.0.10"), 5061));
        var web = PolicyEvaluator.Evaluate(policy, new PolicyQuery(6, IpAddr.Parse("10.77.0.100"), 50000, IpAddr.Parse("10.77.0.10"), 8000));

        Assert.Equal(PolicyDecision.Allowed, sip.Decision);
        Assert.Equal(PolicyDecision.Blocked, web.Decision);
    }
}
