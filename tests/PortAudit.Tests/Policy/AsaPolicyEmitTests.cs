using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Policy;

namespace PortAudit.Tests.Policy;

/// <summary>
/// <c>policy emit --format asa</c> in what an ASA 9 accepts: every address of a family as any4 or any6, and no
/// access-group when no entry is written (the ASA refuses one naming a list that does not exist); each format says so
/// when it writes no rule.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class AsaPolicyEmitTests
{
    private static AllowRule Web(string from) => new("iis-web", "seed.md: 1", "*", "web", IpProtocol.Tcp,
        [Prefix(from)], [Prefix(from.Contains(':') ? "2001:db8::1/128" : "192.168.1.1/32")], [new PortRange(443, 443)]);

    private static IpPrefix Prefix(string text) => IpPrefix.TryParse(text, out var prefix, out var problem) ? prefix : throw new ArgumentException(problem);

    [Theory]
    [InlineData("::/0", "permit tcp any6 host 2001:db8::1 eq 443\n")]
    [InlineData("0.0.0.0/0", "permit tcp any4 host 192.168.1.1 eq 443\n")]
    public void Every_address_of_one_family_is_written_as_the_asa_spells_it_and_reads_back_the_same(string from, string entry)
    {
        string text = PolicyEmitter.Write([Web(from)], "asa");

        Assert.Contains(entry, text, StringComparison.Ordinal);
        Assert.DoesNotContain("::/0", text, StringComparison.Ordinal);
        var read = PolicyLoader.Parse(text, "emitted.asa", PolicyFormat.Asa);
        Assert.Empty(read.Issues);
        var rule = Assert.Single(read.Rules, r => r.Action == PolicyAction.Accept);
        Assert.Equal([Prefix(from)], rule.Source!.Prefixes);
    }

    [Theory]
    [InlineData("asa", "! No rule was written: no access-list, and no access-group")]
    [InlineData("nftables", "# No rule was written: the input and forward chains accept established, related and loopback traffic only")]
    [InlineData("iptables", "# No rule was written: INPUT and FORWARD accept established and related traffic only, and INPUT loopback")]
    [InlineData("windows", ": No rule was written: no netsh command")]
    public void With_no_rule_each_format_says_so_and_asa_binds_no_list(string format, string comment)
    {
        string text = PolicyEmitter.Write([], format);

        Assert.Contains(comment, text, StringComparison.Ordinal);
        Assert.DoesNotContain("access-group portaudit", text, StringComparison.Ordinal);
        Assert.DoesNotContain("No rule was written", PolicyEmitter.Write([Web("10.0.0.0/8")], format), StringComparison.Ordinal);
    }
}
