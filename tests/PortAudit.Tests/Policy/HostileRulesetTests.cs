using System.Text;
using PortAudit.Common;
using PortAudit.Policy;

namespace PortAudit.Tests.Policy;

/// <summary>
/// Rulesets written to hurt the reader (issue 43): each is refused with an <see cref="InputException"/> naming file and
/// line (the CLI's exit 2), quickly and in bounded memory, never a crash or an hour of expansion.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class HostileRulesetTests
{
    // define d0 = 1, then each define a set of two of the one before: 1 KB of text, 2^N elements expanded.
    private static string Doubling(int defines)
    {
        var text = new StringBuilder("define d0 = 1\n");
        for (int i = 1; i <= defines; i++) text.Append($"define d{i} = {{ $d{i - 1}, $d{i - 1} }}\n");
        text.Append("table inet f {\n  chain input {\n    type filter hook input priority 0; policy drop;\n")
            .Append($"    tcp dport $d{defines} accept\n  }}\n}}\n");
        return text.ToString();
    }

    [Theory]
    [InlineData(22)]
    [InlineData(40)]
    public async Task Defines_that_double_each_other_are_refused_naming_file_line_and_define(int defines)
    {
        var parse = Task.Run(() => NftTextParser.Parse(Doubling(defines), "bomb.nft"));

        Assert.True(await Task.WhenAny(parse, Task.Delay(TimeSpan.FromSeconds(10))) == parse, "the expansion did not stop in 10 s");
        var refused = Assert.IsType<InputException>(Assert.Single(parse.Exception!.InnerExceptions));
        Assert.Matches(@"^bomb\.nft:\d+: define \$d\d+ ", refused.Message);
        Assert.Contains("characters", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_large_define_used_by_many_rules_stays_under_the_limit()
    {
        var addresses = string.Join(", ", Enumerable.Range(0, 1000).Select(i => $"10.{i / 250}.{i % 250}.1"));
        var text = new StringBuilder($"define hosts = {{ {addresses} }}\ntable inet f {{\n  chain input {{\n    type filter hook input priority 0; policy drop;\n");
        for (int port = 1; port <= 300; port++) text.Append($"    ip saddr $hosts tcp dport {port} accept\n");
        text.Append("  }\n}\n");

        var policy = NftTextParser.Parse(text.ToString(), "big.nft");

        Assert.Equal(300, policy.Chains.Single().Rules.Count);
        Assert.Empty(policy.Issues);
    }

    [Theory]
    [InlineData("""{"nftables": [{"table": {"family": "inet", "name": "f\ud800", "handle": 1}}]}""", 1)]
    [InlineData("""{"nftables": [{"ta\ud800ble": {"family": "inet", "name": "f", "handle": 1}}]}""", 1)]
    [InlineData("{\n\"nftables\": [\n{\"chain\": {\"family\": \"inet\", \"table\": \"f\", \"name\": \"in\\udc00put\", \"hook\": \"input\", \"type\": \"filter\", \"prio\": 0, \"policy\": \"drop\"}}]}", 3)]
    [InlineData("""{"nftables": [{"rule": {"family": "inet", "table": "f", "chain": "input", "expr": [{"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "eth\ud800x"}}, {"accept": null}]}}]}""", 1)]
    public void A_lone_surrogate_in_nft_json_is_a_parse_error_naming_file_and_position(string json, int line)
    {
        var refused = Assert.Throws<InputException>(() => NftJsonParser.Parse(json, "r.json"));

        Assert.StartsWith($"r.json:{line}:", refused.Message, StringComparison.Ordinal);
        Assert.Contains("surrogate", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""[{"DisplayName": "x\udc00", "Direction": "Inbound", "Action": "Allow", "Protocol": "TCP", "LocalPort": "80"}]""")]
    [InlineData("""[{"DisplayName": "x", "Direction": "Inbound", "Action": "Allow", "PortFilter": {"Protocol": "TCP", "LocalPort": "8\ud8000"}}]""")]
    public void A_lone_surrogate_in_windows_json_is_a_parse_error_naming_file_and_position(string json)
    {
        var refused = Assert.Throws<InputException>(() => WindowsJsonParser.Parse(json, "w.json"));

        Assert.StartsWith("w.json:1:", refused.Message, StringComparison.Ordinal);
        Assert.Contains("surrogate", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_escaped_surrogate_pair_still_reads()
    {
        var policy = WindowsJsonParser.Parse("""[{"DisplayName": "smile \ud83d\ude00", "Direction": "Inbound", "Action": "Allow", "Protocol": "TCP", "LocalPort": "80"}]""", "w.json");

        Assert.Equal("smile \U0001F600", policy.Chains.SelectMany(c => c.Rules).Single().Comment);
    }

    private const string SmallRuleset = "table inet f {\n  chain input {\n    type filter hook input priority 0; policy drop;\n    tcp dport 22 accept\n  }\n}\n";

    private static string WriteRuleset(byte[] bytes)
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("portaudit-ruleset").FullName, "r.nft");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void A_ruleset_line_of_many_megabytes_is_refused_naming_file_and_line_in_bounded_memory()
    {
        string path = WriteRuleset(Encoding.UTF8.GetBytes("# comment\n# " + new string('x', 8 << 20) + "\n" + SmallRuleset));
        long before = GC.GetAllocatedBytesForCurrentThread();

        var refused = Assert.Throws<InputException>(() => PolicyLoader.Load(path));

        Assert.Equal($"{path}:2: line of {(8 << 20) + 2} characters is longer than {PolicyLoader.MaxLineLength}", refused.Message);
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 64L << 20);
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }

    [Fact]
    public void A_ruleset_that_is_not_utf8_is_refused_naming_the_byte_and_line()
    {
        var bytes = Encoding.UTF8.GetBytes("# caf_\n" + SmallRuleset);
        bytes[5] = 0xE9; // Latin-1 é

        var refused = Assert.Throws<InputException>(() => PolicyLoader.Load(WriteRuleset(bytes)));

        Assert.EndsWith("r.nft: not UTF-8 at byte 5 (line 1)", refused.Message);
    }

    [Fact]
    public void A_ruleset_in_utf16_with_its_byte_order_mark_still_reads()
    {
        var bytes = Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(SmallRuleset)).ToArray();

        var policy = PolicyLoader.Load(WriteRuleset(bytes));

        Assert.Equal(22, policy.Chains.SelectMany(c => c.Rules).Single().DestinationPorts!.Ranges.Single().Low);
    }

    [Fact]
    public void A_directory_given_as_the_ruleset_is_said_to_be_one()
    {
        using var directory = new TempDirectory();

        var refused = Assert.Throws<InputException>(() => PolicyLoader.Load(directory.Root));

        Assert.Equal($"{directory.Root}: file expected, found a directory", refused.Message);
    }
}
