using PortAudit.Audit.Drafting;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Sources.Files;
using PortAudit.Tests.Builders;
using PortAudit.Tests.Scenarios;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Audit.Drafting;

/// <summary>
/// A host serving Remote Desktop or SMB to three or more distinct clients is drafted as a server (terminal server, file
/// server), not as a workstation; with two clients it is drafted as the model ranks it. On a held-out set, two terminal
/// servers and a branch file server were once drafted as workstations.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class SharedServerDraftingTests : IDisposable
{
    private const string TerminalServer = "10.9.0.10", FileServer = "10.9.0.20", TwoClientRdp = "10.9.0.30", TwoClientSmb = "10.9.0.40";
    private static readonly string[] Clients = ["10.9.1.21", "10.9.1.22", "10.9.1.23"];
    private static readonly RoleEvidenceIndex Index = new(ScenarioAudit.RepositoryCatalog);

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("portaudit-shared-server");

    public void Dispose() => _directory.Delete(recursive: true);

    /// <summary>A capture where each client opens an answered connection to each (server, port, clients) given.</summary>
    private string Capture(params (string Server, ushort Port, int Clients)[] services)
    {
        var builder = new PcapBuilder();
        double time = 0;
        ushort clientPort = 50000;
        foreach (var (server, port, clients) in services)
            foreach (var client in Clients.Take(clients))
            {
                clientPort++;
                builder.Add(Ethernet(Ipv4(client, server, 6, Tcp(clientPort, port, Syn))), time += 0.01);
                builder.Add(Ethernet(Ipv4(server, client, 6, Tcp(port, clientPort, Syn | Ack))), time += 0.01);
                builder.Add(Ethernet(Ipv4(client, server, 6, Tcp(clientPort, port, Ack))), time += 0.01);
            }
        var path = Path.Combine(_directory.FullName, "capture.pcap");
        File.WriteAllBytes(path, builder.Build());
        return path;
    }

    private static InventoryDraft Draft(string capture) =>
        InventoryDraftRun.Draft(CaptureFileSource.Of([capture]), ScenarioAudit.RepositoryCatalog, null, new FlowTableOptions()).Draft;

    private static IReadOnlyList<string> RolesOf(InventoryDraft draft, string address) =>
        Index.Closure(draft.Hosts.Single(h => h.Prefixes.Any(p => p.Contains(IpAddr.Parse(address)))).Roles);

    [Fact]
    public void RdpToThreeClientsIsATerminalServerAndSmbToThreeAFileServer()
    {
        var draft = Draft(Capture((TerminalServer, 3389, 3), (FileServer, 445, 3)));

        Assert.Contains("terminal-server", RolesOf(draft, TerminalServer));
        Assert.DoesNotContain("workstation", RolesOf(draft, TerminalServer));
        Assert.Contains("file-server", RolesOf(draft, FileServer));
        Assert.DoesNotContain("workstation", RolesOf(draft, FileServer));
        Assert.Contains(draft.Hosts.Single(h => h.Prefixes.Any(p => p.Contains(IpAddr.Parse(TerminalServer)))).Evidence,
            line => line.StartsWith("RDP served to 3 clients on tcp/3389"));
    }

    [Fact]
    public void NetBiosSessionToThreeClientsIsAFileServer()
    {
        var draft = Draft(Capture((FileServer, 139, 3)));

        Assert.Contains("file-server", RolesOf(draft, FileServer));
        Assert.DoesNotContain("workstation", RolesOf(draft, FileServer));
    }

    [Fact]
    public void WithTwoClientsTheModelsRankingStands()
    {
        string capture = Capture((TwoClientRdp, 3389, 2), (TwoClientSmb, 445, 2));
        var hosts = InventoryDraftRun.Collect(CaptureFileSource.Of([capture]), ScenarioAudit.RepositoryCatalog, new FlowTableOptions()).Hosts;

        foreach (var address in new[] { TwoClientRdp, TwoClientSmb })
        {
            var host = hosts.Single(h => h.Address == IpAddr.Parse(address));
            Assert.Empty(SharedServerGuard.ManyClientServices(host));
            var ranked = RoleSetModel.Default.Rank(host, Index, top: 100);
            Assert.Same(ranked, SharedServerGuard.Prefer(host, ranked, Index));
            Assert.Equal(ranked.First(s => s.HasEvidence).Roles, RoleSetModel.Default.Suggest(host, Index, 1).Single().Roles);
        }
    }
}
