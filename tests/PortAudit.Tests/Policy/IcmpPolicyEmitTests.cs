using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Policy;

namespace PortAudit.Tests.Policy;

/// <summary>
/// A rule that names ICMP messages, emitted in each firewall's language: one rule per message, in a syntax each
/// firewall's parser here reads back as ICMP with a type match it keeps as undecidable, not as a mistake.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class IcmpPolicyEmitTests
{
    private static readonly AllowRule Ping = new("site-ping", "site rule local.yaml:2", "mon", "srv", IpProtocol.Icmp,
        [Prefix("10.0.0.1/32")], [Prefix("10.0.0.2/32")], [])
    {
        Icmp = [new IcmpMessage(IpProtocol.Icmp, 8, -1), new IcmpMessage(IpProtocol.Icmp, 3, 3)],
    };

    private static IpPrefix Prefix(string text) => IpPrefix.TryParse(text, out var prefix, out var problem) ? prefix : throw new ArgumentException(problem);

    [Theory]
    [InlineData("nftables", PolicyFormat.NftText, "icmp type echo-request accept", "icmp type 3 icmp code 3 accept")]
    [InlineData("iptables", PolicyFormat.Iptables, "-p icmp --icmp-type echo-request -m comment", "-p icmp --icmp-type 3/3 -m comment")]
    [InlineData("asa", PolicyFormat.Asa, "permit icmp host 10.0.0.1 host 10.0.0.2 8\n", "permit icmp host 10.0.0.1 host 10.0.0.2 3 3\n")]
    [InlineData("windows", PolicyFormat.Netsh, "protocol=icmpv4:8,any ", "protocol=icmpv4:3,3 ")]
    public void EachMessageIsARuleOfItsOwnThatReadsBackAsIcmp(string format, PolicyFormat readAs, string echo, string unreachable)
    {
        string text = PolicyEmitter.Write([Ping], format);

        Assert.Contains(echo, text);
        Assert.Contains(unreachable, text);
        var read = PolicyLoader.Parse(text, $"emitted.{format}", readAs);
        Assert.Empty(read.Issues);
        var accepts = read.Rules.Where(r => r.Action == PolicyAction.Accept && r.States is null && r.InInterface is null).ToList();
        Assert.Equal(2, accepts.Count);
        Assert.All(accepts, r => Assert.Equal([IpProtocol.Icmp], r.Protocols!));
        Assert.All(accepts, r => Assert.NotEmpty(r.Undecidable));
    }

    [Fact]
    public void AnIcmpv6RuleIsIcmp6ForAsa()
    {
        var rule = Ping with { Protocol = IpProtocol.IcmpV6, From = [Prefix("2001:db8::1/128")], To = [Prefix("2001:db8::2/128")],
            Icmp = [new IcmpMessage(IpProtocol.IcmpV6, 128, -1)] };

        Assert.Contains("permit icmp6 host 2001:db8::1 host 2001:db8::2 128\n", PolicyEmitter.Write([rule], "asa"));
        Assert.Contains("icmpv6 type echo-request accept", PolicyEmitter.Write([rule], "nftables"));
    }
}
