using PortAudit.Audit;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Sources.Records;

namespace PortAudit.Tests.Audit;

/// <summary>
/// Inventory addresses are read strictly: the legacy forms the framework takes (octal and hexadecimal octets,
/// fewer than four parts, scope ids) would silently name another host.
/// </summary>
[Trait("Tier", "unit")]
public sealed class StrictAddressTests
{
    [Theory]
    [InlineData("10.77.0.012")]      // octal 012 is 10: would match 10.77.0.10
    [InlineData("010.0.0.0/8")]
    [InlineData("10.0.0.00")]
    [InlineData("10.0.0.0x1")]
    [InlineData("10.0.0.256")]
    [InlineData("::ffff:10.77.0.012")]
    [InlineData("64:ff9b::10.0.0.012")]
    [InlineData("fe80::1%eth0")]
    [InlineData("fe80::1%2")]
    [InlineData("10.0.0.0/08")]
    [InlineData("10.0.0.0/+8")]
    public void AmbiguousOrLegacyFormsAreRefused(string text)
    {
        Assert.False(IpPrefix.TryParse(text, out _, out var problem));
        Assert.Contains($"'{text}'", problem);
    }

    [Theory]
    [InlineData("10.77.0.12", "10.77.0.12")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    [InlineData("10.0.0.0/8", "10.0.0.0/8")]
    [InlineData("::ffff:10.77.0.12", "10.77.0.12")]
    [InlineData("2001:db8::/32", "2001:db8::/32")]
    [InlineData("2001:DB8:0:0::1", "2001:db8::1")]
    public void StrictFormsStillParse(string text, string expected)
    {
        Assert.True(IpPrefix.TryParse(text, out var prefix, out var problem), problem);
        Assert.Equal(expected, prefix.ToString());
    }

    [Fact]
    public void LeadingZeroInAnInventoryIsReportedAtItsLine()
    {
        string yaml = AuditFixture.InventoryYaml.Replace("cidrs: [10.0.8.0/22]", "cidrs: [10.0.8.0/22, 10.77.0.012]");
        var path = Path.Combine(Path.GetTempPath(), $"inventory-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        try
        {
            var ex = Assert.Throws<InventoryException>(() => InventoryLoader.Load(path, AuditFixture.Catalog));
            var error = Assert.Single(ex.Errors);
            Assert.Equal((9, 26), (error.Line, error.Column));
            Assert.Equal($"invalid inventory: {path}:9:26: bad address '10.77.0.012': an IPv4 number has a leading zero " +
                         "(read as octal by some tools, as decimal by others)", ex.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
