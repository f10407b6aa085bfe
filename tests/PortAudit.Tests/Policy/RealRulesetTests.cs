using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Policy;
using Xunit.Abstractions;

namespace PortAudit.Tests.Policy;

/// <summary>
/// Every real ruleset of ../shared/flowdata/rulesets (sources in its MANIFEST.md) read by its parser, with the counts of
/// rules read and constructs not understood printed; the nftables pairs (.nft and its <c>nft -j</c> JSON) read the same.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class RealRulesetTests(ITestOutputHelper output)
{
    private const string Rulesets = "flowdata/rulesets";

    private static readonly (string Directory, string Pattern, PolicyFormat Format)[] Inputs =
    [
        ("nftables/nftables-rs", "*.json", PolicyFormat.NftJson),
        ("nftables/nftables-rs", "*.nft", PolicyFormat.NftText),
        ("nftables/upstream-tests-dumps", "*.nft", PolicyFormat.NftText),
        ("nftables/aerleon", "*.ref", PolicyFormat.NftText),
        ("iptables/batfish", "*.iptables", PolicyFormat.Iptables),
        ("iptables/batfish", "*.v4", PolicyFormat.Iptables),
        ("iptables/aerleon", "*.ref", PolicyFormat.Iptables),
        ("asa/batfish", "*", PolicyFormat.Asa),
        ("asa/aerleon", "*.ref", PolicyFormat.Asa),
        ("windows-firewall/aerleon", "*.ref", PolicyFormat.Netsh),
    ];

    private static IEnumerable<(string File, PolicyFormat Format)> Files() =>
        Inputs.SelectMany(input => Directory.GetFiles(SharedData.Path($"{Rulesets}/{input.Directory}")!, input.Pattern)
            .Order(StringComparer.Ordinal).Select(f => (f, input.Format)));

    // Filter rules read, NAT rules (nftables nat statements, the iptables nat table, ASA nat/static), those of them
    // evaluated (destination NAT of a port before the filter), and constructs not understood, over every file (the four
    // notrack statements of synproxy.nft and .json are evaluated since 21d339f; the second interface condition of a
    // direction, three in nft-f__0012different_defines_0.nft, `iifname "whatever" ... iif "lo"`, is read since conditions
    // that must all hold are; five verdict maps are evaluated since they are read, their elements 3 rules more: the
    // ip saddr, ip6 daddr and udp dport maps of nft-f__0012different_defines_0.nft, maps__0011vmap_0.nft's two; the
    // same file's two concatenations are read since c59e43d: `ip6 saddr . ip6 nexthdr { ... }` a match, and
    // `ip daddr . iif vmap { 10.0.0.0 . "lo" : accept }` a map whose one element is a rule more; the protocol ranges of
    // sets__0001named_interval_0.nft's set s3, `ip protocol @s3` and `ip6 nexthdr @s3`, are read since ranges are).
    private const int RulesRead = 546, NatRules = 63, NatEvaluated = 10, NotUnderstood = 42;

    [SharedDataFact(Rulesets)]
    public void Every_real_ruleset_parses_and_its_counts_are_printed()
    {
        int files = 0, rules = 0, issues = 0, nat = 0, natEvaluated = 0;
        foreach (var (file, format) in Files())
        {
            var policy = PolicyLoader.Load(file, format);
            files++;
            rules += policy.Rules.Count(r => r.Nat is null);
            issues += policy.Issues.Count;
            nat += policy.Nat.Count();
            natEvaluated += policy.Nat.Count(r => r.Nat!.Evaluated);
            output.WriteLine($"{Path.GetRelativePath(SharedData.Path(Rulesets)!, file)} ({format}): {policy.Chains.Count} chains, " +
                             $"{policy.Rules.Count(r => r.Nat is null)} rules, {policy.Nat.Count()} NAT rules, {policy.Issues.Count} constructs not understood; " +
                             $"paths {string.Join(", ", policy.Paths.Select(p => p.Name))}");
            foreach (var rule in policy.Nat)
                output.WriteLine($"    NAT {rule.Location}: {rule.Nat!.Text}: {rule.Nat.Treatment}");
            foreach (var issue in policy.Issues)
                output.WriteLine($"    {issue}");
            // Every construct not understood names its line in the file.
            Assert.All(policy.Issues, i => Assert.Equal(file, i.Location.File));
        }
        output.WriteLine($"{files} files, {rules} rules, {nat} NAT rules ({natEvaluated} evaluated), {issues} constructs not understood");
        Assert.True(files >= 60, $"only {files} rulesets found");
        // What this corpus held when the counts were taken: a parser change that reads more or less shows here.
        Assert.Equal((RulesRead, NatRules, NatEvaluated, NotUnderstood), (rules, nat, natEvaluated, issues));
    }

    [SharedDataFact(Rulesets)]
    public void Every_real_rulesets_format_is_told_by_its_content()
    {
        // Eight of batfish's ASA configurations hold objects and NAT but no access list: "cannot tell the firewall format"
        // where each opens with "ASA Version 9.9".
        var wrong = Files().Where(f => PolicyLoader.Guess(File.ReadAllText(f.File)) != f.Format)
            .Select(f => $"{Path.GetFileName(f.File)}: {PolicyLoader.Guess(File.ReadAllText(f.File))?.ToString() ?? "none"}").ToList();
        Assert.Empty(wrong);
    }

    [SharedDataFact(Rulesets)]
    public void The_nftables_text_and_its_json_listing_give_the_same_rules()
    {
        string directory = SharedData.Path($"{Rulesets}/nftables/nftables-rs")!;
        int compared = 0;
        foreach (string text in Directory.GetFiles(directory, "*.nft"))
        {
            var fromText = NftTextParser.Parse(File.ReadAllText(text), text);
            var fromJson = NftJsonParser.Parse(File.ReadAllText(Path.ChangeExtension(text, ".json")), text);
            Assert.Equal(fromText.Chains.Select(c => (c.Name, c.Hook, c.DefaultPolicy)), fromJson.Chains.Select(c => (c.Name, c.Hook, c.DefaultPolicy)));
            var (textRules, jsonRules) = (fromText.Rules.Select(Shape).ToList(), fromJson.Rules.Select(Shape).ToList());
            Assert.Equal(textRules.Count, jsonRules.Count);
            for (int i = 0; i < textRules.Count; i++)
                Assert.Equal($"{text}: {textRules[i]}", $"{text}: {jsonRules[i]}");
            Assert.Equal(fromText.Issues.Count, fromJson.Issues.Count);
            compared += fromText.Rules.Count();
        }
        Assert.True(compared >= 60, $"only {compared} rules compared");
    }

    // Everything but the place and the words of undecidable conditions, which the two forms write differently.
    private static string Shape(PolicyRule r) =>
        $"{r.Id} {r.Action} {r.Target} [{string.Join(",", r.Protocols ?? [])}] {r.Family} {r.Source} {r.Destination} {r.SourcePorts} {r.DestinationPorts} " +
        $"{r.States} {r.InInterface} {r.OutInterface} {r.Undecidable.Count} {r.Comment}";

    [SharedDataFact(Rulesets)]
    public void Real_rulesets_evaluate_as_their_authors_meant()
    {
        var host = PolicyLoader.Load(SharedData.Path($"{Rulesets}/iptables/batfish/example-live-host1.iptables")!);
        Assert.Equal(PolicyFormat.Iptables, host.Format);
        Assert.Equal(PolicyDecision.Allowed, Evaluate(host, IpProtocol.Udp, "192.0.2.1", "10.0.0.1", 53).Decision);
        Assert.Equal(PolicyDecision.Blocked, Evaluate(host, IpProtocol.Tcp, "192.0.2.1", "10.0.0.1", 80).Decision);

        var workstation = PolicyLoader.Load(SharedData.Path($"{Rulesets}/nftables/nftables-rs/workstation.json")!);
        Assert.Equal(PolicyFormat.NftJson, workstation.Format);
        Assert.Equal(PolicyDecision.Allowed, Evaluate(workstation, IpProtocol.Tcp, "192.0.2.1", "10.0.0.1", 22).Decision);
        Assert.Equal(PolicyDecision.Blocked, Evaluate(workstation, IpProtocol.Tcp, "192.0.2.1", "10.0.0.1", 23).Decision);

        // The mangle table of this router drops by default; only its listed sources pass.
        var router = PolicyLoader.Load(SharedData.Path($"{Rulesets}/iptables/batfish/iptables-firewall-z1-firewall.v4")!);
        Assert.Equal(PolicyDecision.Allowed, Evaluate(router, 89, "10.0.2.1", "10.0.2.2", 0).Decision);
        Assert.Equal(PolicyDecision.Blocked, Evaluate(router, IpProtocol.Tcp, "10.0.9.1", "10.0.2.2", 80).Decision);
        Assert.Equal(PolicyDecision.Undecided, Evaluate(router, IpProtocol.Tcp, "10.0.4.1", "10.0.2.2", 80).Decision);
    }

    private static PolicyVerdict Evaluate(FirewallPolicy policy, byte protocol, string client, string server, int port) =>
        PolicyEvaluator.Evaluate(policy, new PolicyQuery(protocol, IpAddr.Parse(client), 40000, IpAddr.Parse(server), port));
}
