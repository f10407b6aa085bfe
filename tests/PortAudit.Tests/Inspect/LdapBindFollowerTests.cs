using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect.Ldap;
using PortAudit.Tests.Builders;
using static PortAudit.Tests.Builders.LdapMessages;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// An LDAP simple bind with a password in clear, wherever in the client's first messages it comes and however the
/// client cuts it, through the flow table and inspection as a capture goes: the inspector labels the flow from its first
/// message, the follower reads the client's messages after it for the bind.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class LdapBindFollowerTests
{
    private const string Dn = "cn=svc-backup,cn=Users,dc=corp,dc=example", Password = "Winter2024!";

    // A conversation with a directory on 389: each message from the client (true) or the server in a segment of its own.
    private static Flow Ldap(params (bool FromClient, byte[] Bytes)[] messages) =>
        Assert.Single(InspectTestData.Inspect(Smb1Messages.Conversation("10.0.0.50", "10.0.0.10", 389, messages)), f => f.ServerPort == 389);

    private static (bool, byte[])[] Segments(byte[] bytes, int size) => [.. bytes.Chunk(size).Select(piece => (true, piece))];

    private static (string? App, string? Detail, FlowWeakness Weakness) Seen(Flow flow) => (flow.App?.Name, flow.AppDetail?.ToString(), flow.Weakness);

    [Fact]
    public void APasswordBindInOneSegmentIsACleartextBind() =>
        Assert.Equal(("ldap", "bindRequest; dn=cn=svc-backup,cn=Users,dc=corp,dc=example", FlowWeakness.LdapCleartextBind),
            Seen(Ldap((true, SimpleBind(1, Dn, Password)), (false, BindResponse(1)))));

    [Fact]
    public void APasswordBindInTwelveByteSegmentsIsReadAsIfSentWhole()
    {
        // In 12-byte segments the bind was labelled, but only the bytes of the first segment were read for a password.
        var flow = Ldap([.. Segments(SimpleBind(1, Dn, Password), 12), (false, BindResponse(1))]);
        Assert.Equal(("ldap", "bindRequest; dn=cn=svc-backup,cn=Users,dc=corp,dc=example", FlowWeakness.LdapCleartextBind), Seen(flow));
    }

    [Fact]
    public void AWindowsBindWithFiveByteLengthsInThreeByteSegmentsIsLabelledAndRead()
    {
        // wldap32 writes every length as 84 and four bytes: three bytes in, the head ended inside the messageID and the
        // flow was left unlabelled.
        var flow = Ldap([.. Segments(SimpleBind(1, Dn, Password, lengthBytes: 4), 3), (false, BindResponse(1))]);
        Assert.Equal(("ldap", "bindRequest; dn=cn=svc-backup,cn=Users,dc=corp,dc=example", FlowWeakness.LdapCleartextBind), Seen(flow));
    }

    [Fact]
    public void APasswordBindAfterARootDseSearchAndItsAnswerIsACleartextBind()
    {
        // The search came alone in the first segment, and nothing after it was read.
        var flow = Ldap((true, RootDseSearch(1)), (false, SearchResDone(1)), (true, SimpleBind(2, Dn, Password)), (false, BindResponse(2)));
        Assert.Equal(("ldap", "searchRequest", FlowWeakness.LdapCleartextBind), Seen(flow));
    }

    [Fact]
    public void APasswordBindAfterAnAnonymousOneIsACleartextBind()
    {
        var flow = Ldap((true, SimpleBind(1, "", "")), (false, BindResponse(1)), (true, SimpleBind(2, Dn, Password)), (false, BindResponse(2)));
        Assert.Equal(FlowWeakness.LdapCleartextBind, flow.Weakness);
    }

    [Fact]
    public void AnAnonymousUnauthenticatedOrSaslBindIsNoCleartextBind()
    {
        Assert.Equal(FlowWeakness.None, Ldap((true, SimpleBind(1, "", "")), (false, BindResponse(1))).Weakness);
        // RFC 4513 5.1.2: a name with an empty password is an unauthenticated bind, no password crosses.
        Assert.Equal(FlowWeakness.None, Ldap((true, SimpleBind(1, Dn, "")), (false, BindResponse(1))).Weakness);
        Assert.Equal(FlowWeakness.None, Ldap((true, SaslBind(1, "GSS-SPNEGO", new byte[40])), (false, BindResponse(1))).Weakness);
    }

    [Fact]
    public void AfterASaslBindNothingIsReadForAPassword()
    {
        // A SASL layer may wrap every message after the bind: the bytes after it are no longer taken for LDAP's.
        var flow = Ldap((true, SaslBind(1, "GSS-SPNEGO", new byte[40])), (false, BindResponse(1)), (true, SimpleBind(2, Dn, Password)));
        Assert.Equal(FlowWeakness.None, flow.Weakness);
    }

    [Fact]
    public void ABindInClearAfterARefusedStartTlsIsACleartextBind()
    {
        // StartTLS answered protocolError (a directory without a certificate): the client goes on without TLS.
        var flow = Ldap((true, StartTls(1)), (false, ExtendedResponse(1, 2)), (true, SimpleBind(2, Dn, Password)), (false, BindResponse(2)));
        Assert.Equal(("ldap", "extendedRequest", FlowWeakness.LdapCleartextBind), Seen(flow));
    }

    [Fact]
    public void APasswordBindCutShortByTheCaptureIsNotRead()
    {
        var bind = SimpleBind(1, Dn, Password);
        Assert.Equal(FlowWeakness.None, Ldap((true, bind[..^3])).Weakness);
    }

    [Fact]
    public void TheReadingEndsAtAnAbsurdLengthAndAfterItsMessageLimit()
    {
        // A message claiming 2 GiB is no LDAP request (Active Directory reads at most 10 MiB): nothing after it is read.
        byte[] absurd = [0x30, 0x84, 0x7F, 0xFF, 0xFF, 0xFF, 0x02, 0x01, 0x01, 0x63];
        Assert.Equal(FlowWeakness.None, Ldap((true, RootDseSearch(1)), (true, absurd), (true, SimpleBind(2, Dn, Password))).Weakness);
        var searches = Enumerable.Range(1, LdapBindFollower.MaxMessages).Select(id => (true, RootDseSearch(id))).ToArray();
        Assert.Equal(FlowWeakness.None, Ldap([.. searches, (true, SimpleBind(99, Dn, Password))]).Weakness);
        Assert.Equal(FlowWeakness.LdapCleartextBind, Ldap([.. searches[1..], (true, SimpleBind(99, Dn, Password))]).Weakness);
    }
}
