using System.Text.Json;
using PortAudit.Tests.Cli;

namespace PortAudit.Tests.Audit;

/// <summary>
/// The audit command on the recorded Windows lab (captures/windows-lab.pcapng and its inventory): every host's NetBIOS
/// broadcasts to segment winlab's 10.78.0.255 are judged against the hosts they reach and expected, so the domain's
/// capture holds no finding at all.
/// </summary>
[Trait(Tier.Name, Tier.Cli)]
public class WindowsLabAuditTests
{
    [Fact]
    public void NetBiosBroadcastsToTheSegmentAreExpectedAndNothingIsUnmapped()
    {
        var output = Directory.CreateTempSubdirectory("portaudit-windows-lab");
        try
        {
            var result = CliProcess.Run($"audit \"{SharedData.InRepository("captures/windows-lab.pcapng")}\" " +
                $"--inventory \"{SharedData.InRepository("captures/windows-lab.yaml")}\" --out \"{output.FullName}\" --fail-on unmapped");

            Assert.True(result.ExitCode == 0, result.StandardOutput + result.StandardError);
            Assert.Contains("audit: 237 flows: 234 expected, 3 expected-dynamic-rpc\n", result.StandardOutput);
            Assert.Contains(", 0 unmapped, 0 rpc-interface, 0 weak-protocol\n", result.StandardOutput);

            var broadcasts = File.ReadLines(Path.Combine(output.FullName, "flows.jsonl")).Select(line => JsonDocument.Parse(line).RootElement)
                .Where(f => f.GetProperty("server").GetString() == "10.78.0.255").ToList();
            Assert.Equal(10, broadcasts.Count);
            Assert.Equal(
                [("kb832017-windows-host-netbios-dgm-udp-138", 5), ("kb832017-windows-host-netbios-ns-udp-137", 5)],
                broadcasts.GroupBy(f => f.GetProperty("rule").GetString()!).Select(g => (g.Key, g.Count())).Order());
            Assert.All(broadcasts, f => Assert.Equal(("expected", "(broadcast:winlab 10.78.0.255)"),
                (f.GetProperty("verdict").GetString(), f.GetProperty("serverHost").GetString())));
            // Each host's broadcast reaches the five others: ws01's takes the DC's, the file server's and WINS's roles too.
            var fromWs01 = broadcasts.First(f => f.GetProperty("clientHost").GetString() == "ws01");
            Assert.Contains("domain-controller", fromWs01.GetProperty("serverRoles").EnumerateArray().Select(r => r.GetString()));

            using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(output.FullName, "report.json")));
            Assert.Empty(report.RootElement.GetProperty("findings").EnumerateArray());
            Assert.Equal(17, report.RootElement.GetProperty("summary").GetProperty("coverage").GetProperty("seen").GetInt32());
        }
        finally
        {
            output.Delete(recursive: true);
        }
    }
}
