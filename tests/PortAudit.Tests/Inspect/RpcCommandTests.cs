using System.CommandLine;
using System.Text.Json;
using PortAudit.Cli.Commands;

namespace PortAudit.Tests.Inspect;

[Trait(Tier.Name, Tier.Unit)]
public class RpcCommandTests
{
    internal static string Run(params string[] args)
    {
        string output = Path.GetTempFileName();
        try
        {
            var root = new RootCommand();
            root.Subcommands.Add(RpcCommand.Create());
            int exit = root.Parse(new[] { "rpc" }.Concat(args).Concat(new[] { "-o", output }).ToArray()).Invoke();
            Assert.Equal(0, exit);
            return File.ReadAllText(output);
        }
        finally
        {
            File.Delete(output);
        }
    }

    [SharedDataFact]
    public void TableListsEachMappingAndTheFlowThatUsedIt()
    {
        var lines = Run(InspectTestData.Capture("sv-dcerpc-zerologon.pcap")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("time", lines[0]);
        Assert.Equal(1 + 21, lines.Length); // the header, then the 21 flows that used the mapping
        Assert.All(lines.Skip(1), l => Assert.Matches(@"172\.16\.5\.58:135 +172\.16\.0\.10 +NETLOGON +tcp 172\.16\.5\.58:49668 +172\.16\.0\.10:\d+", l));
    }

    [SharedDataFact]
    public void JsonCarriesTheSameFields()
    {
        using var json = JsonDocument.Parse(Run("-f", "json", InspectTestData.Capture("sv-dcerpc-zerologon.pcap")));
        var first = json.RootElement[0];
        Assert.Equal("NETLOGON", first.GetProperty("interface").GetString());
        Assert.Equal(49668, first.GetProperty("port").GetInt32());
        Assert.Equal(50556, first.GetProperty("usedBy")[0].GetProperty("clientPort").GetInt32());
    }
}
