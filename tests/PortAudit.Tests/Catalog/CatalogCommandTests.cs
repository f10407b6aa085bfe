using System.CommandLine;
using System.Text.Json;
using PortAudit.Cli;
using PortAudit.Cli.Commands;

namespace PortAudit.Tests.Catalog;

[Trait(Tier.Name, Tier.Unit)]
public class CatalogCommandTests
{
    private static (int ExitCode, string Output) Run(params string[] args)
    {
        var output = new StringWriter();
        var root = new RootCommand("test");
        GlobalOptions.AddTo(root);
        root.Subcommands.Add(CatalogCommand.Create(output));
        int exit = CommandRunner.Invoke(root, ["catalog", .. args]);
        return (exit, output.ToString());
    }

    private static string Rules => SharedData.InRepository("rules");

    [Fact]
    public void ExplainShowsAlternativesNegatedConditionsAndPeriodsPlainly()
    {
        using var catalog = new TempCatalog("""
            product: demo
            sourceFile: doc.txt
            rules:
              - id: demo-tls
                from: [client, any@perimeter]
                to: server
                transport: tcp
                ports: 5067
                protocol: sip-tls
                oneOf: gateway-in
                unless: [federation]
                every: 90m
                source:
                  section: Ports
                  row: "5067 TCP TLS"
            """);

        var (exit, output) = Run("--catalog", catalog.Dir, "--explain", "5067/tcp");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("[client, any@perimeter] -> server  tcp/5067  sip-tls  when: not federation,one of gateway-in,every 1.5 h", output);
    }

    [Fact]
    public void BrokenCatalogExitsWithTwo()
    {
        using var catalog = new TempCatalog(TempCatalog.ValidRules.Replace("to: server", "to: nobody"));

        var (exit, output) = Run("--catalog", catalog.Dir);

        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Equal("", output);
    }

    [Fact]
    public void JsonIsAnArrayOfRulesWithSourceObjects()
    {
        var (exit, output) = Run("--catalog", Rules, "--from", "cisco-unity", "--to", "cucm", "--format", "json");

        Assert.Equal(ExitCodes.Ok, exit);
        using var json = JsonDocument.Parse(output);
        var rules = json.RootElement.EnumerateArray().ToList();
        Assert.NotEmpty(rules);
        Assert.All(rules, r =>
        {
            Assert.Equal("cisco-unity", r.GetProperty("from").GetString());
            Assert.Equal("cucm", r.GetProperty("to").GetString());
            Assert.False(string.IsNullOrEmpty(r.GetProperty("source").GetProperty("row").GetString()));
        });
        var sccp = rules.Single(r => r.GetProperty("id").GetString() == "unity-cucm-sccp");
        Assert.Equal("tcp", sccp.GetProperty("transport").GetString());
        Assert.Equal("2000", sccp.GetProperty("ports")[0].GetString());
        Assert.Equal("sccp-integration", sccp.GetProperty("conditions")[0].GetString());
        Assert.Equal("001_44db7b9bae70875c.txt", sccp.GetProperty("source").GetProperty("file").GetString());
    }

    [Fact]
    public void PortFilterListsOnlyRulesUsingThePort()
    {
        var (exit, output) = Run("--catalog", Rules, "--port", "691");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("unity-exchange-routing", output);
        Assert.Contains("1 rule(s)", output);
        Assert.All(output.Split('\n'), line => Assert.True(line.TrimEnd('\r').Length <= 120, line));
    }

    [Fact]
    public void ExplainShowsRulesWithProvenanceAndRoles()
    {
        var (exit, output) = Run("--catalog", Rules, "--explain", "691/tcp");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.StartsWith("691/tcp: 1 rule(s)", output);
        Assert.Contains("unity-exchange-routing", output);
        Assert.Contains("row:    TCP 691", output);
        Assert.Contains("Network Traffic Between Exchange Servers", output);
        Assert.Matches(@"Roles:\s+exchange-server\s+Microsoft Exchange server", output);
    }

    [Fact]
    public void ExplainRejectsABadPort()
    {
        var (exit, _) = Run("--catalog", Rules, "--explain", "135/sctp");

        Assert.Equal(ExitCodes.BadInput, exit);
    }

    [Fact]
    public void CheckPrintsCountsPerProductAndRole()
    {
        var (exit, output) = Run("--catalog", Rules, "--check");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains(": OK, ", output);
        Assert.Matches(@"cisco-unity-5\s+\d+", output);
        Assert.Matches(@"windows-server-system\s+\d+", output);
        Assert.Matches(@"dhcp-server\s+[1-9]\d*", output);
    }

    [Fact]
    public void UnknownRoleFilterIsAnInputError()
    {
        var (exit, _) = Run("--catalog", Rules, "--role", "no-such-role");

        Assert.Equal(ExitCodes.BadInput, exit);
    }
}
