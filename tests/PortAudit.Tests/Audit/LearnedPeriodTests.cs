using System.Text;
using System.Text.Json;
using PortAudit.Tests.Cli;

namespace PortAudit.Tests.Audit;

/// <summary>
/// A model learned from flow records names the period it learned: flow records carry no packets, and the provenance's
/// first and last packet were 0 (1970) for them.
/// </summary>
[Trait(Tier.Name, Tier.Cli)]
public sealed class LearnedPeriodTests : IDisposable
{
    private readonly ScratchDirectory _dir = new("portaudit-learned-period");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void AModelLearnedFromAConnLogSpansTheStartsOfItsFlows()
    {
        // 200 connections from the lab's workstation to its domain controller's endpoint mapper, 1 ms apart.
        var log = new StringBuilder("#separator \\x09\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tconn_state\n");
        for (int i = 0; i < 200; i++) log.Append($"1700000000.{i:D3}000\tC{i}\t10.77.0.100\t{10000 + i}\t10.77.0.30\t135\ttcp\tSF\n");
        string conn = _dir.Write("conn.log", Encoding.UTF8.GetBytes(log.ToString()));
        string model = Path.Combine(_dir.FullName, "model.json");

        var learn = CliProcess.Run($"learn \"{conn}\" --inventory \"{SharedData.InRepository("captures/lab.yaml")}\" --model \"{model}\"",
            timeout: TimeSpan.FromMinutes(5));

        Assert.True(learn.ExitCode == 0, learn.StandardError);
        using var json = JsonDocument.Parse(File.ReadAllBytes(model));
        var provenance = json.RootElement.GetProperty("provenance");
        Assert.Equal((1_700_000_000_000_000_000L, 1_700_000_000_199_000_000L),
            (provenance.GetProperty("first_ns").GetInt64(), provenance.GetProperty("last_ns").GetInt64()));
    }
}
