using System.Runtime.InteropServices;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Policy;

namespace PortAudit.Tests.Policy;

/// <summary>A test that needs root, <c>ip netns</c>, <c>nft</c> and <c>iptables-restore</c>; skipped with the reason otherwise.</summary>
public sealed class NamespaceFactAttribute : FactAttribute
{
    public NamespaceFactAttribute() =>
        Skip = RootTools.Unavailable("network namespaces", "ip netns", "iproute2, nftables, iptables", "/usr/sbin/ip", "/usr/sbin/nft", "/usr/sbin/iptables-restore");
}

/// <summary>Whether a test that runs Linux firewall tools as root can run here.</summary>
internal static class RootTools
{
    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEffectiveUserId();

    /// <summary>Why <paramref name="programs"/> (of <paramref name="packages"/>) cannot run <paramref name="what"/> as root here; null when they can.</summary>
    public static string? Unavailable(string linux, string what, string packages, params string[] programs) =>
        !OperatingSystem.IsLinux() ? $"{linux} are Linux's"
        : GetEffectiveUserId() != 0 ? $"needs root for {what}"
        : programs.FirstOrDefault(p => !File.Exists(p)) is { } missing ? $"{missing} not installed ({packages})"
        : null;
}

/// <summary>
/// The emitted nftables and iptables rulesets loaded by the real tools in a throw-away network namespace, listed back by
/// them (nft -j list ruleset, iptables-save) and read by our parsers: the kernel took what we wrote, and it means what we meant.
/// </summary>
[Trait(Tier.Name, Tier.Lab)]
public class NamespaceLoadTests
{
    private static string Run(string ns, string program, params string[] arguments)
    {
        var result = ExternalProgram.Run(ExternalProgram.Start("/usr/sbin/ip", ["netns", "exec", ns, program, .. arguments]), TimeSpan.FromSeconds(30));
        Assert.True(result.ExitCode == 0, $"{program} {string.Join(' ', arguments)}: {result.StandardError}");
        return result.StandardOutput;
    }

    private static string InNamespace(Func<string, string> action)
    {
        string ns = $"pa-policy-{Environment.ProcessId}-{Guid.NewGuid():N}"[..24];
        ExternalProgram.Run(ExternalProgram.Start("/usr/sbin/ip", ["netns", "add", ns]), TimeSpan.FromSeconds(10));
        try
        {
            return action(ns);
        }
        finally
        {
            ExternalProgram.Run(ExternalProgram.Start("/usr/sbin/ip", ["netns", "del", ns]), TimeSpan.FromSeconds(10));
        }
    }

    private static void AssertLabMeaning(FirewallPolicy policy)
    {
        var sip = new PolicyQuery(6, IpAddr.Parse("10.77.0.20"), 50000, IpAddr.Parse("10.77.0.10"), 5061);
        Assert.Equal(PolicyDecision.Allowed, PolicyEvaluator.Evaluate(policy, sip).Decision);
        Assert.Equal(PolicyDecision.Blocked, PolicyEvaluator.Evaluate(policy, sip with { DestinationPort = 8000 }).Decision);
    }

    [NamespaceFact]
    public void Emitted_nftables_loads_with_nft_and_lists_back_to_the_same_meaning()
    {
        string file = Path.GetTempFileName();
        File.WriteAllText(file, PolicyEmitter.Write(PolicyEmitTests.LabRules(), "nftables"));
        string listed = InNamespace(ns =>
        {
            Run(ns, "/usr/sbin/nft", "-f", file);
            return Run(ns, "/usr/sbin/nft", "-j", "list", "ruleset");
        });
        File.Delete(file);

        var policy = NftJsonParser.Parse(listed, "nft -j list ruleset");
        Assert.Empty(policy.Issues);
        Assert.Equal(PolicyEmitTests.LabRules().Count, policy.Chain("inet portaudit portaudit")!.Rules.Count);
        AssertLabMeaning(policy);
    }

    // A tunnel's own flow is judged by its IP protocol: the names the tools list it by must mean the kernel's numbers.
    [NamespaceFact]
    public void Tunnel_protocols_listed_by_iptables_save_and_nft_mean_the_numbers_the_kernel_matches()
    {
        var (saved, listed) = InNamespace(ns =>
        {
            Run(ns, "/usr/sbin/iptables", "-P", "INPUT", "DROP");
            foreach (var (source, protocol) in TunnelRules)
                Run(ns, "/usr/sbin/iptables", "-A", "INPUT", "-s", source, "-p", protocol.ToString(), "-j", "ACCEPT");
            Run(ns, "/usr/sbin/nft", "add table inet t; add chain inet t c { type filter hook input priority 0; policy drop; }");
            foreach (var (source, protocol) in TunnelRules)
                Run(ns, "/usr/sbin/nft", $"add rule inet t c ip saddr {source} meta l4proto {protocol} accept");
            return (Run(ns, "/usr/sbin/iptables-save"), Run(ns, "/usr/sbin/nft", "-j", "list", "ruleset"));
        });
        // What they list is the names, not the numbers given.
        Assert.Contains("-p ipencap", saved);
        Assert.Contains("-p ipip", saved);
        foreach (var policy in new[] { IptablesSaveParser.Parse(saved, "iptables-save"), NftJsonParser.Parse(listed, "nft -j list ruleset") })
        {
            Assert.Empty(policy.Issues);
            foreach (var (source, allowed) in TunnelRules)
                foreach (byte protocol in new byte[] { 4, 41, 47, 94 })
                {
                    var query = new PolicyQuery(protocol, IpAddr.Parse(source), 0, IpAddr.Parse("10.77.0.10"), 0);
                    Assert.Equal((source, protocol, protocol == allowed ? PolicyDecision.Allowed : PolicyDecision.Blocked),
                        (source, protocol, PolicyEvaluator.Evaluate(policy, query).Decision));
                }
        }
    }

    private static readonly (string Source, byte Protocol)[] TunnelRules =
        [("198.51.100.4", 4), ("198.51.100.41", 41), ("198.51.100.47", 47), ("198.51.100.94", 94)];

    private static T InNamespace<T>(Func<string, T> action)
    {
        T result = default!;
        InNamespace(ns =>
        {
            result = action(ns);
            return "";
        });
        return result;
    }

    [NamespaceFact]
    public void Emitted_iptables_loads_with_iptables_restore_and_saves_back_to_the_same_meaning()
    {
        string file = Path.GetTempFileName();
        File.WriteAllText(file, PolicyEmitter.Write(PolicyEmitTests.LabRules(), "iptables"));
        string saved = InNamespace(ns =>
        {
            Run(ns, "/usr/sbin/iptables-restore", file);
            return Run(ns, "/usr/sbin/iptables-save");
        });
        File.Delete(file);

        var policy = IptablesSaveParser.Parse(saved, "iptables-save");
        Assert.Empty(policy.Issues);
        AssertLabMeaning(policy);
    }

    // The rulesets whose verdicts the kernel gave on a namespace router (TcpFlagsTests, InterfaceConditionTests,
    // TranslatedConnectionTests, NftStatementTests), loaded by nft -f and listed back by nft and nft -j: what the kernel
    // holds reads as the files do, a set of flag combinations in the order nft lists it.
    [NamespaceFact]
    public void Flag_sets_escaped_names_source_nat_empty_sets_and_maps_list_back_to_the_same_meaning()
    {
        foreach (var policy in Listed(TcpFlagsTests.Tf1Text))
            Assert.Equal("tcp flags { syn, syn | ack }", policy.Chain("inet f forward")!.Rules[4].Undecidable.Single());
        foreach (var policy in Listed(InterfaceConditionTests.EscapedStar))
        {
            Assert.Equal("iifname eth\\*", policy.Chain("inet f forward")!.Rules[1].Interfaces);
            var query = new PolicyQuery(IpProtocol.Tcp, IpAddr.Parse("10.99.1.2"), 50000, IpAddr.Parse("10.99.2.2"), 88);
            Assert.Equal(PolicyDecision.Allowed, PolicyEvaluator.Evaluate(policy, query with { InInterface = "eth*" }, PolicyPoint.Network).Decision);
            Assert.Equal(PolicyDecision.Blocked, PolicyEvaluator.Evaluate(policy, query with { InInterface = "eth0" }, PolicyPoint.Network).Decision);
        }
        foreach (var policy in Listed(TranslatedConnectionTests.InputSourceNat))
        {
            var verdict = PolicyEvaluator.Evaluate(policy, new PolicyQuery(IpProtocol.Tcp, IpAddr.Parse("10.99.1.2"), 50000, IpAddr.Parse("10.99.1.1"), 71), PolicyPoint.Host);
            Assert.Equal((PolicyDecision.Undecided, "inet f late#1"), (verdict.Decision, verdict.DecidedBy));
        }
        foreach (var policy in Listed(NftStatementTests.EmptySetsText))
        {
            Assert.Equal(["set @blocked of inet f", "set @ports of inet f"], policy.EmptySets.Select(s => s.Construct));
            var query = new PolicyQuery(IpProtocol.Tcp, IpAddr.Parse("10.99.1.2"), 50000, IpAddr.Parse("10.99.2.2"), 88);
            Assert.Equal(PolicyDecision.Allowed, PolicyEvaluator.Evaluate(policy, query, PolicyPoint.Network).Decision);
        }
        foreach (var policy in Listed(NftStatementTests.EmptyVerdictMapText))
        {
            Assert.Equal(["map @verdicts of inet f"], policy.EmptySets.Select(s => s.Construct));
            var query = new PolicyQuery(IpProtocol.Tcp, IpAddr.Parse("10.99.1.2"), 50000, IpAddr.Parse("10.99.2.2"), 80);
            Assert.Equal((PolicyDecision.Allowed, "inet f forward#3"), Decided(PolicyEvaluator.Evaluate(policy, query, PolicyPoint.Network)));
        }
        foreach (var policy in Listed(TranslatedConnectionTests.EitherTranslation))
        {
            var query = new PolicyQuery(IpProtocol.Tcp, IpAddr.Parse("10.99.1.2"), 50000, IpAddr.Parse("10.99.1.1"), 71);
            Assert.Equal((PolicyDecision.Undecided, "inet f late#1"), Decided(PolicyEvaluator.Evaluate(policy, query, PolicyPoint.Host)));
        }
    }

    private static (PolicyDecision, string) Decided(PolicyVerdict verdict) => (verdict.Decision, verdict.DecidedBy);

    // rules loaded by nft -f in a throw-away namespace, read back from nft list ruleset and from nft -j list ruleset.
    private static FirewallPolicy[] Listed(string rules)
    {
        string file = Path.GetTempFileName();
        File.WriteAllText(file, rules);
        try
        {
            var (text, json) = InNamespace(ns =>
            {
                Run(ns, "/usr/sbin/nft", "-f", file);
                return (Run(ns, "/usr/sbin/nft", "list", "ruleset"), Run(ns, "/usr/sbin/nft", "-j", "list", "ruleset"));
            });
            var policies = new[] { NftTextParser.Parse(text, "nft list ruleset"), NftJsonParser.Parse(json, "nft -j list ruleset") };
            Assert.All(policies, p => Assert.Empty(p.Issues));
            return policies;
        }
        finally
        {
            File.Delete(file);
        }
    }
}
