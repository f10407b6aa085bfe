using PortAudit.Audit;
using PortAudit.Common;
using PortAudit.Decode;

namespace PortAudit.Tests.Audit;

[Trait(Tier.Name, Tier.Unit)]
public class AddressMapTests
{
    private static IpPrefix Prefix(string text)
    {
        Assert.True(IpPrefix.TryParse(text, out var prefix, out var problem), problem);
        return prefix;
    }

    private static IpAddr Address(string text)
    {
        Assert.True(IpAddr.TryParse(text, out var address));
        return address;
    }

    private static AddressMap<string> Map(params string[] prefixes)
    {
        var map = new AddressMap<string>();
        foreach (var prefix in prefixes) Assert.True(map.TryAdd(Prefix(prefix), prefix, out _));
        return map;
    }

    private static string? Find(AddressMap<string> map, string address) => map.TryFind(Address(address), out var value) ? value : null;

    [Fact]
    public void MostSpecificPrefixWinsWhateverTheOrderOfAdding()
    {
        var map = Map("10.0.1.10", "10.0.0.0/8", "10.0.1.0/24");

        Assert.Equal("10.0.1.10", Find(map, "10.0.1.10"));
        Assert.Equal("10.0.1.0/24", Find(map, "10.0.1.11"));
        Assert.Equal("10.0.0.0/8", Find(map, "10.200.0.1"));
        Assert.Null(Find(map, "11.0.0.1"));
    }

    [Fact]
    public void Ipv6PrefixesMatchAndStaySeparateFromIpv4()
    {
        var map = Map("2001:db8::/32", "2001:db8:1::/48", "2001:db8:1::5", "0.0.0.0/0");

        Assert.Equal("2001:db8:1::5", Find(map, "2001:db8:1::5"));
        Assert.Equal("2001:db8:1::/48", Find(map, "2001:db8:1::6"));
        Assert.Equal("2001:db8::/32", Find(map, "2001:db8:ffff::1"));
        Assert.Equal("0.0.0.0/0", Find(map, "198.51.100.1"));
        Assert.Null(Find(map, "2001:db9::1"));
    }

    [Fact]
    public void ASecondAddOfThePrefixKeepsTheFirstValue()
    {
        var map = new AddressMap<string>();
        Assert.True(map.TryAdd(Prefix("10.0.0.0/24"), "first", out _));
        Assert.False(map.TryAdd(Prefix("10.0.0.0/24"), "second", out var existing));

        Assert.Equal("first", existing);
        Assert.Equal("first", Find(map, "10.0.0.1"));
    }

    [Theory]
    [InlineData("10.0.1.5/24", "bad prefix '10.0.1.5/24': host bits are set beyond /24 (did you mean 10.0.1.0/24?)")]
    [InlineData("10.0.1.0/33", "bad prefix '10.0.1.0/33': the length must be 0-32")]
    [InlineData("2001:db8::/129", "bad prefix '2001:db8::/129': the length must be 0-128")]
    [InlineData("10.0.1", "bad address '10.0.1': expected an IPv4 or IPv6 address, optionally with /PREFIX")]
    [InlineData("fe01", "bad address 'fe01': expected an IPv4 or IPv6 address, optionally with /PREFIX")]
    public void BadPrefixesAreExplained(string text, string problem)
    {
        Assert.False(IpPrefix.TryParse(text, out _, out var actual));
        Assert.Equal(problem, actual);
    }

    [Theory]
    [InlineData("10.0.8.0/22", "10.0.8.0/22")]
    [InlineData("10.0.1.10/32", "10.0.1.10")]
    [InlineData("2001:DB8::/32", "2001:db8::/32")]
    public void PrefixesPrintInTheirUsualForm(string text, string printed) => Assert.Equal(printed, Prefix(text).ToString());
}
