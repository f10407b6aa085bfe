using PortAudit.Audit.Drafting;
using PortAudit.Common;
using PortAudit.Decode;
using Xunit.Abstractions;

namespace PortAudit.Tests.Scenarios;

/// <summary>
/// The role-set model on the labelled deployments: cross-validation by deployment (fitted on the others that share no
/// real capture with it, judged on the one held out), and the shipped model against a refit on all of them.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class RoleSetModelTests(ITestOutputHelper output)
{
    private const string WindowsCaptures = "captures/netbios.pcap";
    private const string ShippedModel = "src/PortAudit/Audit/Drafting/role-model.json";

    /// <summary>The issue's goal: hosts whose exact role set is ranked first.</summary>
    private const double Goal = 0.9;

    /// <summary>
    /// What the model reached when this test was written; a change that lowers it fails. 27 of 40 with the client
    /// evidence (what a host that served nothing asked for), the set profile, redundancy counted by the fewest roles that
    /// explain all, rules to the Internet explaining only what Internet peers used, and the hyper-parameters chosen by
    /// nested cross-validation; 16 of 40 before them. 28 of 40 since NetBIOS names registered with a host name it a
    /// WINS server (the Windows lab's wins01), 29 since a share of users' files names a file server (its fs01), 30 since
    /// NetBIOS name service counts as a Windows host's client evidence (windows-domain's site A); 32 since sets the
    /// catalog cannot tell apart share its word by how often inventories used them (both Edge external interfaces), 33
    /// since a role implying a named one is a candidate beside it (lync-edge-site's fe01, the Central Management store),
    /// 34 since SIP on 5061 from the Internet names a federation partner (xmpp-federated-lync's legacy partner), 35 since
    /// sets tied first are ordered by the peers' drafts (unity-exchange-cucm's unity02, whose SMB to the other Unity server
    /// is a Unity rule's), 36 since a host named only in another organisation's domains is drafted with partner roles
    /// (xmpp-federated-lync's partner-edge, sip.fabrikam.com) and options the held-out count ties on are chosen by the
    /// held-out likelihood (without it, every option tied in lync-edge-site's fold and the most penalised lost 3 hosts).
    /// 34 since the catalog review of "an allowed port is not an allowed conversation" (KB832017's dynamic RPC narrowed
    /// to 49152-65535, replication between DCs as a rule of its own, the Unity secondary playing cisco-unity, listener
    /// rows published by the inventory): windows-domain's dc-site-a is drafted without dns-server and unity-exchange-cucm's
    /// unity02 as a workstation, both through the fold's refitted weights rather than new evidence (each alone
    /// reverted, the other stays). The goal above is not met; this floor keeps the rest from slipping.
    /// </summary>
    private const double Floor = 0.85;

    [SharedDataFact(WindowsCaptures)]
    public void HeldOutDeploymentsGetTheirExactRoleSetsFirst()
    {
        var index = new RoleEvidenceIndex(ScenarioAudit.RepositoryCatalog);
        int right = 0, total = 0;
        foreach (var held in LabelledDeployments.All)
        {
            // Fitted, hyper-parameters chosen too, on the other deployments alone: nested cross-validation.
            var model = RoleSetModel.FitSelected(LabelledDeployments.Groups(LabelledDeployments.All.Where(d => d != held && !d.SharesTrafficWith(held))), index);
            output.WriteLine($"{held.Name}: penalty {model.Options.Penalty}, catalog weight {model.Options.CatalogWeight}");
            int heldRight = 0;
            // Drafted as the drafter does, every address of the deployment at once: ties are ordered by the peers' drafts.
            var drafted = PeerTieBreak.SuggestAll(model, held.Hosts, index, 1).ToDictionary(s => s.Host.Address, s => s.Ranked);
            foreach (var entry in held.Entries)
            {
                // Sets compared with the roles they imply, as the audit matches them ([lync-front-end] is [lync-front-end, lync-server]).
                string predicted = Predicted(drafted, index, entry);
                string truth = RoleSetModel.Key(index.Closure(entry.Entry.Roles));
                // The confusion, host by host: true role set against the first suggestion.
                if (predicted == truth)
                {
                    heldRight++;
                    output.WriteLine($"  {held.Name}/{entry.Entry.Name} ({entry.Members.Count} addresses): [{truth}] right");
                }
                else
                {
                    output.WriteLine($"  {held.Name}/{entry.Entry.Name} ({entry.Members.Count} addresses): [{truth}] drafted as [{predicted}]");
                    if (entry.Members.Count > 1)
                        output.WriteLine("     members: " + string.Join("; ", entry.Members.Select(m => $"{m.Address} [{string.Join(", ", model.Suggest(m, index, 1).SelectMany(b => b.Roles))}] ({string.Join(" ", m.Served.Select(x => "s" + x).Concat(m.Initiated.Select(x => "i" + x)))})")));
                    var first = entry.Members[0];
                    output.WriteLine($"     served {string.Join(", ", first.Served.Select(x => $"{x} {string.Join("+", x.Apps)}"))}; initiated {string.Join(", ", first.Initiated)}"
                                     + $"; attempted {string.Join(", ", first.Attempted)}; rpc {string.Join(", ", first.RpcInterfaces)}; hinted {string.Join(", ", RoleSetModel.HintedRoles(first))}");
                    output.WriteLine($"     names {string.Join(", ", first.Names)}; SRV {string.Join(", ", first.Services)}");
                    output.WriteLine($"     address {first.Address}; initiated apps {string.Join(", ", first.Initiated.Where(x => x.Apps.Count > 0).Select(x => $"{x} {string.Join("+", x.Apps)}"))}");
                    // The top sets with their features, and the true set's if it ranked lower: what tipped the choice.
                    var all = model.Rank(first, index, int.MaxValue);
                    foreach (var ranked in all.Take(3).Concat(all.Where(s => RoleSetModel.Key(index.Closure(s.Roles)) == truth).Take(1)).Distinct())
                        output.WriteLine($"     {ranked.Probability:0.00} [{string.Join(", ", ranked.Roles)}]{(ranked.HasEvidence ? "" : " (no evidence)")} "
                                         + string.Join(" ", RoleSetFeatures.Names.Zip(ranked.Features, (n, x) => $"{n}={x:0.##}")));
                }
            }
            output.WriteLine($"{held.Name}: {heldRight}/{held.Entries.Count} hosts with the exact role set first");
            right += heldRight;
            total += held.Entries.Count;
        }
        double accuracy = (double)right / total;
        output.WriteLine($"held out by deployment: {right}/{total} = {accuracy:0.00} (goal {Goal:0.00})");
        Assert.True(accuracy >= Floor, $"accuracy {accuracy:0.00} fell below {Floor:0.00}");
    }

    [SharedDataFact(WindowsCaptures)]
    public void ShippedModelIsTheFitOnEveryDeployment()
    {
        var index = new RoleEvidenceIndex(ScenarioAudit.RepositoryCatalog);
        var fitted = RoleSetModel.FitSelected(LabelledDeployments.Groups(LabelledDeployments.All), index);
        string json = fitted.ToJson();
        // PORTAUDIT_WRITE_ROLE_MODEL=1 refreshes the shipped model after a change to the features, the catalog or the scenarios.
        if (Environment.GetEnvironmentVariable("PORTAUDIT_WRITE_ROLE_MODEL") == "1")
            File.WriteAllText(SharedData.InRepository(ShippedModel), json + "\n");
        output.WriteLine(json);
        Assert.Equal(json, RoleSetModel.Default.ToJson());
    }

    // The set drafted for an entry: its addresses' most probable sets, the most common one winning ("" when the drafter leaves them out).
    private static string Predicted(IReadOnlyDictionary<IpAddr, IReadOnlyList<RoleSetScore>> drafted, RoleEvidenceIndex index, LabelledEntry entry) =>
        entry.Members.Select(m => drafted[m.Address] is [var best, ..] ? RoleSetModel.Key(index.Closure(best.Roles)) : "")
            .GroupBy(k => k).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key;
}
