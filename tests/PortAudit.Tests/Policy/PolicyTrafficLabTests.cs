using System.Text.Json;
using PortAudit.Policy;
using PortAudit.Tests.Cli;
using PortAudit.Tests.Lab;

namespace PortAudit.Tests.Policy;

/// <summary>
/// Firewall policies with real tools and real traffic in network namespaces: the least-privilege rules that
/// <c>portaudit policy emit --format nftables|iptables</c> writes, loaded with <c>nft -f</c> or <c>iptables-restore</c> on the
/// lab's Front End, let the required
/// flows through and drop one the catalog does not allow, as the live audit (<c>portaudit capture --firewall</c>) sees and
/// judges it; and captures/lab-fe01.json is what nft lists for tools/lab/fe01.nft.
/// </summary>
[Trait(Tier.Name, Tier.Lab)]
public sealed class PolicyTrafficLabTests : IDisposable
{
    private const string Client = TwoHostLab.ClientAddress, Server = TwoHostLab.ServerAddress;

    private readonly TwoHostLab _lab = new("papt");

    private string ClientNs => _lab.ClientNs;

    private string ServerNs => _lab.ServerNs;

    public void Dispose() => _lab.Dispose();

    [LabFact]
    public void Emitted_nftables_rules_pass_required_flows_and_drop_one_the_catalog_does_not_allow_as_the_live_audit_sees() =>
        EmittedRulesAsTheLiveAuditSeesThem("nftables", "/usr/sbin/nft", "nft", "inet portaudit portaudit#", "policy of inet portaudit forward");

    [LabFact]
    public void Emitted_iptables_rules_pass_required_flows_and_drop_one_the_catalog_does_not_allow_as_the_live_audit_sees() =>
        EmittedRulesAsTheLiveAuditSeesThem("iptables", "/usr/sbin/iptables-restore", "iptables", "portaudit#", "policy of FORWARD");

    private void EmittedRulesAsTheLiveAuditSeesThem(string format, string loader, string policyFormat, string allowedBy, string blockedBy)
    {
        string inventory = SharedData.InRepository("captures/lab.yaml");
        string rules = Path.Combine(_lab.Dir, "emitted." + format);
        var emit = CliProcess.Run($"policy emit --inventory \"{inventory}\" --format {format} -o \"{rules}\"");
        Assert.True(emit.ExitCode == 0, emit.StandardError);
        _lab.Connect();
        InNamespace(ServerNs, loader, loader.EndsWith("nft", StringComparison.Ordinal) ? ["-f", rules] : [rules]);
        foreach (int port in new[] { 5061, 443, 8000 })
            _lab.ListenEcho(port);

        string capture = Path.Combine(_lab.Dir, "traffic.pcapng"), reports = Path.Combine(_lab.Dir, "audit");
        var audit = Task.Run(() => ExternalProgram.Run(ExternalProgram.Start("/usr/sbin/ip",
        [
            "netns", "exec", ClientNs, DotnetHost, Path.Combine(AppContext.BaseDirectory, "portaudit.dll"), "capture", "-i", "eth0",
            "--duration", "15", "--write", capture, "--inventory", inventory, "--firewall", $"emitted={rules}:{policyFormat}", "--out", reports, "--fail-on", "none",
        ]), TimeSpan.FromSeconds(60)));
        // The file appears once libpcap has the interface open: from then on nothing is missed.
        for (int i = 0; i < 200 && !File.Exists(capture) && !audit.IsCompleted; i++) Thread.Sleep(50);
        Assert.True(File.Exists(capture), audit.IsCompleted ? audit.Result.StandardError : "the capture did not start within 10 s");

        var sipOverTls = _lab.Request(5061);
        Assert.True(sipOverTls.Answered, "SIP over TLS, client01 to fe01, is required and emitted: it must pass; " + sipOverTls.Detail);
        var https = _lab.Request(443);
        Assert.True(https.Answered, "HTTPS, client01 to fe01, is required and emitted: it must pass; " + https.Detail);
        Assert.False(_lab.Request(8000).Answered, "8000/tcp is in no catalog rule: the emitted policy must drop it");

        var result = audit.Result;
        Assert.True(result.ExitCode == 0, result.StandardError);
        var flows = File.ReadLines(Path.Combine(reports, "flows.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(f => f.GetProperty("server").GetString() == Server).ToList();
        var sip = flows.Single(f => f.GetProperty("serverPort").GetInt32() == 5061);
        Assert.Equal(("established", "expected"), (sip.GetProperty("state").GetString(), sip.GetProperty("verdict").GetString()));
        Assert.StartsWith("emitted: allowed by " + allowedBy, Policy(sip), StringComparison.Ordinal);
        var web = flows.Single(f => f.GetProperty("serverPort").GetInt32() == 443);
        Assert.Equal("established", web.GetProperty("state").GetString());
        var dropped = flows.Single(f => f.GetProperty("serverPort").GetInt32() == 8000);
        Assert.Equal(("unanswered", "unexpected"), (dropped.GetProperty("state").GetString(), dropped.GetProperty("verdict").GetString()));
        Assert.StartsWith("emitted: blocked by " + blockedBy, Policy(dropped), StringComparison.Ordinal);

        // Traffic and policy agree: nothing crossed that the policy refuses, nothing it allows was refused, no rule
        // without a catalog rule behind it, no required flow blocked. The ruleset covers the whole inventory, so it is
        // audited as a network firewall (a name that is no host), by its forward path, which jumps to the same chain as input: as fe01's own, its rules for other hosts need nothing of fe01.
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(reports, "report.json")));
        var findings = report.RootElement.GetProperty("findings").EnumerateArray()
            .Select(f => $"{f.GetProperty("kind").GetString()} {f.GetProperty("rule")} {f.GetProperty("reason")}").ToList();
        Assert.DoesNotContain(findings, f => f.StartsWith("policy-", StringComparison.Ordinal));
        Assert.Contains(findings, f => f.StartsWith("unexpected ", StringComparison.Ordinal));
    }

    [LabFact]
    public void The_lab_policy_file_is_what_nft_lists_for_the_lab_ruleset()
    {
        _lab.AddServerOnly();
        InNamespace(ServerNs, "/usr/sbin/nft", "-f", SharedData.InRepository("tools/lab/fe01.nft"));
        var listed = NftJsonParser.Parse(InNamespace(ServerNs, "/usr/sbin/nft", "-j", "list", "ruleset"), "nft -j list ruleset");
        var committed = PolicyLoader.Load(FirewallAuditTests.LabPolicyFile, PolicyFormat.NftJson);

        Assert.Equal(committed.Rules.Select(Shape), listed.Rules.Select(Shape));
        Assert.Empty(listed.Issues);
    }

    private static string Shape(PolicyRule r) =>
        $"{r.Id} {r.Action} [{string.Join(",", r.Protocols ?? [])}] {r.Source} {r.Destination} {r.DestinationPorts} {r.States} {r.InInterface} {r.Comment}";

    private static string Policy(JsonElement flow) => Assert.Single(flow.GetProperty("policy").EnumerateArray()).GetString()!;

    private static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    private string InNamespace(string ns, string program, params string[] arguments) => _lab.In(ns, program, arguments);
}
