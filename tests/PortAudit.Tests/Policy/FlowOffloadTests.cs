using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Policy;

namespace PortAudit.Tests.Policy;

/// <summary>
/// A flowtable's offload statement (<c>flow add @ft</c>, formerly <c>flow offload @ft</c>), as OpenWrt's fw4 and the
/// nftables wiki put it first in a forward chain: the kernel offloads a connection once conntrack has confirmed it, and
/// for a packet of an unconfirmed connection (its first) breaks off the rule (nft_flow_offload_eval sets NFT_BREAK), so
/// the first packet, which the policy verdict is about, goes on to the next rule, and a verdict after the statement in
/// the same rule is not reached. This machine's kernel has no flowtable (<c>nft -f</c> refuses the ruleset: "No such file
/// or directory"), so the decisions rest on that source, not on a router here.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class FlowOffloadTests
{
    private const string Offloading = """
        table inet f {
          flowtable ft {
            hook ingress priority filter
            devices = { eth0, eth1 }
          }
          chain forward {
            type filter hook forward priority filter; policy drop;
            meta l4proto { tcp, udp } flow offload @ft
            ct state established,related accept
            tcp dport 80 accept
            tcp dport 81 flow add @ft accept
          }
        }
        """;

    [Theory]
    [InlineData(80, PolicyDecision.Allowed, "inet f forward#3")]
    // The accept after the statement is not reached by a connection's first packet.
    [InlineData(81, PolicyDecision.Blocked, "policy of inet f forward")]
    public void An_offload_statement_passes_a_connections_first_packet_on_to_the_next_rule(int port, PolicyDecision decision, string decidedBy)
    {
        var policy = PolicyLoader.Parse(Offloading, "fw4.nft", PolicyFormat.NftText);
        var verdict = PolicyEvaluator.Evaluate(policy,
            new PolicyQuery(IpProtocol.Tcp, IpAddr.Parse("10.99.1.2"), 50000, IpAddr.Parse("10.99.2.2"), port), PolicyPoint.Network);

        Assert.Empty(policy.Issues);
        Assert.Equal((decision, decidedBy), (verdict.Decision, verdict.DecidedBy));
    }

    [Theory]
    [InlineData("{\"op\": \"add\", \"flowtable\": \"@ft\"}", 0)]
    [InlineData("{\"op\": \"offload\", \"flowtable\": \"@ft\"}", 0)]
    // Not a statement nft writes: not understood, never an exception.
    [InlineData("{\"op\": 5, \"flowtable\": \"@ft\"}", 1)]
    [InlineData("{\"op\": \"delete\", \"flowtable\": \"@ft\"}", 1)]
    [InlineData("\"add\"", 1)]
    public void An_offload_in_nft_json_reads_as_nft_writes_it_and_anything_else_is_not_understood(string flow, int issues)
    {
        string json = "{\"nftables\": [{\"table\": {\"family\": \"inet\", \"name\": \"f\"}}, " +
                      "{\"chain\": {\"family\": \"inet\", \"table\": \"f\", \"name\": \"forward\", \"type\": \"filter\", \"hook\": \"forward\", \"prio\": 0, \"policy\": \"drop\"}}, " +
                      "{\"rule\": {\"family\": \"inet\", \"table\": \"f\", \"chain\": \"forward\", \"expr\": [{\"flow\": " + flow + "}, {\"accept\": null}]}}]}";

        var policy = PolicyLoader.Parse(json, "fw4.json", PolicyFormat.NftJson);

        Assert.Equal(issues, policy.Issues.Count);
        if (issues == 0) Assert.Equal(ConnectionStates.Established, Assert.Single(policy.Rules).States);
    }

    [SharedDataFact("flowdata/rulesets/nftables/nftables-rs")]
    public void The_statement_reads_from_nft_text_and_json_as_a_rule_for_established_connections()
    {
        foreach (var (file, format) in new[] { ("flow.nft", PolicyFormat.NftText), ("flow.json", PolicyFormat.NftJson) })
        {
            string path = SharedData.Path("flowdata/rulesets/nftables/nftables-rs/" + file)!;

            var policy = PolicyLoader.Parse(File.ReadAllText(path), path, format);

            Assert.Empty(policy.Issues);
            Assert.Equal((file, ConnectionStates.Established), (file, Assert.Single(policy.Rules).States));
        }
    }
}
