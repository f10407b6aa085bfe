using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using PortAudit.Tests.Cli;

namespace PortAudit.Tests.Audit;

/// <summary>
/// <c>portaudit learn</c> as a process. A model learned from flow records names the period it learned (flow records carry
/// no packets, and the provenance's first and last packet were 0, 1970, for them). With <c>--local-rules</c> a site that
/// allows ping by a rule of its own learns its echo flows, which the documents' catalog alone leaves unexpected; the
/// model names the site's rule files, and an audit with other site rules is told.
/// </summary>
[Trait(Tier.Name, Tier.Cli)]
public sealed class LearnCommandTests : IDisposable
{
    private readonly string _inventory = SharedData.InRepository("captures/lab.yaml");
    private readonly ScratchDirectory _dir = new("portaudit-learn");
    private readonly string _conn;
    private readonly string _siteRules;

    public LearnCommandTests()
    {
        // 60 pings from the lab's workstation to its domain controller, 1 s apart: no vendor document allows ICMP.
        var log = new StringBuilder("#separator \\x09\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tduration\torig_bytes\tresp_bytes\tconn_state\torig_pkts\tresp_pkts\n");
        for (int i = 0; i < 60; i++) log.Append($"{1_700_000_000 + i}.000000\tC{i}\t10.77.0.100\t8\t10.77.0.30\t0\ticmp\t0.001\t56\t56\tOTH\t1\t1\n");
        _conn = _dir.Write("conn.log", Encoding.UTF8.GetBytes(log.ToString()));
        _siteRules = _dir.Write("site.yaml", Encoding.UTF8.GetBytes("""
            rules:
              - id: site-ping-dc
                from: workstation
                to: domain-controller
                transport: icmp
                icmp: [echo-request]
                notes: the site's monitoring pings its domain controllers
            """));
    }

    public void Dispose() => _dir.Dispose();

    private ExternalProgram.Result Learn(string model, string extra = "") =>
        CliProcess.Run($"learn \"{_conn}\" --inventory \"{_inventory}\" --model \"{model}\" {extra}", timeout: TimeSpan.FromMinutes(5));

    [Fact]
    public void AModelLearnedFromAConnLogSpansTheStartsOfItsFlows()
    {
        // 200 connections from the lab's workstation to its domain controller's endpoint mapper, 1 ms apart.
        var log = new StringBuilder("#separator \\x09\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tconn_state\n");
        for (int i = 0; i < 200; i++) log.Append($"1700000000.{i:D3}000\tC{i}\t10.77.0.100\t{10000 + i}\t10.77.0.30\t135\ttcp\tSF\n");
        string conn = _dir.Write("period.log", Encoding.UTF8.GetBytes(log.ToString()));
        string model = Path.Combine(_dir.FullName, "model.json");

        var learn = CliProcess.Run($"learn \"{conn}\" --inventory \"{_inventory}\" --model \"{model}\"", timeout: TimeSpan.FromMinutes(5));

        Assert.True(learn.ExitCode == 0, learn.StandardError);
        using var json = JsonDocument.Parse(File.ReadAllBytes(model));
        var provenance = json.RootElement.GetProperty("provenance");
        Assert.Equal((1_700_000_000_000_000_000L, 1_700_000_000_199_000_000L),
            (provenance.GetProperty("first_ns").GetInt64(), provenance.GetProperty("last_ns").GetInt64()));
    }

    [Fact]
    public void PingsASiteRuleAllowsAreLearnedAndTheModelNamesTheRuleFile()
    {
        string model = Path.Combine(_dir.FullName, "model.json");

        var without = Learn(model);
        var with = Learn(model, $"--local-rules \"{_siteRules}\"");

        // Without the site's rule every ping is unexpected, so nothing is allowed to learn from.
        Assert.Equal(2, without.ExitCode);
        Assert.Contains("0 flows a rule allows", without.StandardError);
        Assert.True(with.ExitCode == 0, with.StandardError);
        using var json = JsonDocument.Parse(File.ReadAllBytes(model));
        var provenance = json.RootElement.GetProperty("provenance");
        Assert.Equal(60, provenance.GetProperty("allowed_flows").GetInt64());
        var rules = Assert.Single(provenance.GetProperty("local_rules").EnumerateArray());
        Assert.Equal(_siteRules, rules.GetProperty("name").GetString());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(_siteRules))), rules.GetProperty("sha256").GetString());
    }

    [Fact]
    public void AnAuditWithOtherSiteRulesThanTheModelsIsWarnedAndOneWithTheSameIsNot()
    {
        string model = Path.Combine(_dir.FullName, "model.json");
        Assert.True(Learn(model, $"--local-rules \"{_siteRules}\"").ExitCode == 0);
        string Audit(string extra) =>
            CliProcess.Run($"audit \"{_conn}\" --inventory \"{_inventory}\" --model \"{model}\" --out \"{Path.Combine(_dir.FullName, "out")}\" --fail-on none {extra}",
                timeout: TimeSpan.FromMinutes(5)) is var run && run.ExitCode == 0 ? run.StandardError : throw new Xunit.Sdk.XunitException(run.StandardError);

        string same = Audit($"--local-rules \"{_siteRules}\"");
        string none = Audit("");

        Assert.DoesNotContain("site rules", same);
        Assert.Contains($"{model}: the model was learned with site rules {_siteRules} (sha256 ", none);
        Assert.Contains("this audit has none", none);
    }
}
