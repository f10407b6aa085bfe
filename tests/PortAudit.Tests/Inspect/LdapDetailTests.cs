using System.Text.Json;
using PortAudit.Flows.Facts;
using PortAudit.Inspect.Protocols;
using PortAudit.Report.Records;
using PortAudit.Tests.Builders;
using static PortAudit.Tests.Builders.LdapMessages;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// The DN an LDAP bind names, as a reader of flows.jsonl gets it back from appDetail: whole, its commas commas (they
/// were written <c>.</c>, so <c>cn=a,dc=b</c> and <c>cn=a.dc=b</c> read alike), and what appDetail cannot hold as it is
/// percent-escaped.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class LdapDetailTests
{
    // The appDetail of flows.jsonl's record of a bind of `dn` to a directory on 389.
    private static string Written(string dn)
    {
        var flow = Assert.Single(InspectTestData.Inspect(Smb1Messages.Conversation("10.0.0.50", "10.0.0.10", 389,
            (true, SimpleBind(1, dn, "")), (false, BindResponse(1)))), f => f.ServerPort == 389);
        var output = new MemoryStream();
        using (var writer = new JsonLinesFlowWriter(output)) writer.Write(flow);
        return JsonDocument.Parse(output.ToArray()).RootElement.GetProperty("appDetail").GetString()!;
    }

    // What a reader makes of appDetail: the parts split at "; ", the dn part's value percent-decoded.
    private static string ReadDn(string appDetail)
    {
        string part = Assert.Single(appDetail.Split("; "), p => p.StartsWith("dn=", StringComparison.Ordinal));
        return Uri.UnescapeDataString(part["dn=".Length..]);
    }

    [Fact]
    public void ABindDnComesOutWhole()
    {
        string detail = Written("cn=admin,dc=example,dc=com");
        Assert.Equal("bindRequest; dn=cn=admin,dc=example,dc=com", detail);
        Assert.Equal("cn=admin,dc=example,dc=com", ReadDn(detail));
    }

    [Theory]
    // A separator and a percent sign in a value, escaped as RFC 4514 writes them; UTF-8; a control character.
    [InlineData("cn=a\\;b,ou=100%,dc=example", "bindRequest; dn=cn=a\\%3Bb,ou=100%25,dc=example")]
    [InlineData("cn=Müller,dc=example", "bindRequest; dn=cn=M%C3%BCller,dc=example")]
    [InlineData("cn=x\r\n; injected=1,dc=example", "bindRequest; dn=cn=x%0D%0A%3B injected=1,dc=example")]
    public void ADnAppDetailCannotHoldAsItIsIsEscapedAndReadsBack(string dn, string expected)
    {
        string detail = Written(dn);
        Assert.Equal(expected, detail);
        Assert.Equal(dn, ReadDn(detail));
        Assert.Equal(2, detail.Split("; ").Length);
    }

    [Fact]
    public void ALongDnIsCutBetweenEscapes()
    {
        var text = new AppDetailBuilder(stackalloc char[AppDetailBuilder.DefaultCapacity]);
        text.Part("dn");
        text.AppendEscaped("ab;c"u8, 4);
        Assert.Equal("dn=ab", text.Build()!.ToString());
        Assert.Equal(LdapInspector.MaxDnCharacters, ReadDn(Written("cn=" + new string('x', 600))).Length);
    }
}
