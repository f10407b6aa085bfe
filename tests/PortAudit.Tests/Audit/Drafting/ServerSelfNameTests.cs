using PortAudit.Audit;
using PortAudit.Audit.Drafting;
using PortAudit.Catalog;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Pipeline;
using PortAudit.Sources.Files;
using PortAudit.Tests.Scenarios;

namespace PortAudit.Tests.Audit.Drafting;

/// <summary>What servers say of themselves and of their clients on real wires: NTLM challenges, a rootDSE over LDAP, the DC locator's CLDAP ping, the KDC's replies.</summary>
[Trait(Tier.Name, Tier.Unit)]
public class ServerSelfNameTests
{
    private const string Smb2 = "captures/zeek-smb-smb2.pcap", Zerologon = "captures/sv-dcerpc-zerologon.pcap";
    private const string KakaoTalk = "captures/KakaoTalk_chat.pcap";
    private const string KerberosLogin = "captures/kerberos-login.pcap";
    private const string PrintNightmare = "captures-extra/cl-printnightmare-packetcapture_2.pcap";

    [SharedDataFact(Smb2)]
    public void SmbSessionSetupChallengeNamesTheFileServerAndItsDomain()
    {
        var (hosts, realms) = Collect(Smb2);

        var server = Assert.Single(hosts, h => h.Address == IpAddr.Parse("10.0.0.12"));
        Assert.Contains(new HostName("server002.contoso.com", "ntlm"), server.Names);
        Assert.Contains(new HostName("server002", "ntlm"), server.Names);
        Assert.Contains("CONTOSO.COM", realms);
        // The client sent the AUTHENTICATE message, which names nobody's server.
        Assert.DoesNotContain(hosts.Single(h => h.Address == IpAddr.Parse("10.0.0.11")).Names, n => n.Source == "ntlm");
    }

    [SharedDataFact(Smb2)]
    public void SmbSessionSetupAuthenticateNamesTheClientsWorkstation()
    {
        var (hosts, _) = Collect(Smb2);

        Assert.Equal([new HostName("server01", "ntlm-workstation")], hosts.Single(h => h.Address == IpAddr.Parse("10.0.0.11")).Names);
        Assert.DoesNotContain(hosts.Single(h => h.Address == IpAddr.Parse("10.0.0.12")).Names, n => n.Source == "ntlm-workstation");
    }

    [SharedDataFact(PrintNightmare)]
    public void DraftedEntriesAreNamedByWhatServersAndClientsSaidOfThemselves()
    {
        var (draft, _) = InventoryDraftRun.Draft(CaptureFileSource.Of([SharedData.Path(PrintNightmare)!]), ScenarioAudit.RepositoryCatalog, null, new FlowTableOptions());

        // The DC by its rootDSE's dnsHostName (and its NTLM challenges), the client by its AUTHENTICATE's workstation.
        Assert.Equal("bas-ad-01", draft.Hosts.Single(h => h.Prefixes.Single().Network == IpAddr.Parse("172.16.5.58")).Name);
        Assert.Equal("bas-win7-01", draft.Hosts.Single(h => h.Prefixes.Single().Network == IpAddr.Parse("172.16.5.67")).Name);
    }

    [SharedDataFact(Zerologon)]
    public void DceRpcBindAckChallengeNamesTheDomainController()
    {
        var (hosts, _) = Collect(Zerologon);

        var dc = Assert.Single(hosts, h => h.Address == IpAddr.Parse("172.16.5.58"));
        Assert.Contains(new HostName("bas-ad-01.lab.local", "ntlm"), dc.Names);
    }

    [SharedDataFact(KakaoTalk)]
    public void Tls12CertificateNamesItsServerAndWildcardsAreLeftOut()
    {
        var (hosts, _) = Collect(KakaoTalk);

        // 31.13.68.84 sends, over several segments, a chain whose leaf is *.facebook.com with SANs *.facebook.com,
        // facebook.com, *.fbsbx.com, ..., fb.com, ..., facebookcorewwwi.onion: the host names among them, in order.
        var server = hosts.Single(h => h.Address == IpAddr.Parse("31.13.68.84"));
        var names = server.Names.Where(n => n.Source == "tls-certificate").Select(n => n.Name).ToList();
        Assert.Equal(["facebook.com", "fb.com", "facebookcorewwwi.onion"], names.Take(3));
        Assert.DoesNotContain(names, n => n.StartsWith('*'));
        // *.kakao.com is all 210.103.240.15's certificate names: nothing to add.
        Assert.DoesNotContain(hosts.Single(h => h.Address == IpAddr.Parse("210.103.240.15")).Names, n => n.Source == "tls-certificate");
    }

    [Fact]
    public void Tls13FlightShowsNoCertificate()
    {
        // ServerHello record, then ChangeCipherSpec: what follows is encrypted.
        byte[] flight = [0x16, 0x03, 0x03, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00, 0x14, 0x03, 0x03, 0x00, 0x01, 0x01];

        Assert.Equal(ServerFlightResult.None, TlsCertificateNameReader.Read(flight, [], []));
        Assert.Equal(ServerFlightResult.NeedMore, TlsCertificateNameReader.Read(flight[..7], [], []));
    }

    [SharedDataFact(KerberosLogin)]
    public void TicketGrantingReplyNamesTheClientByItsMachineAccount()
    {
        var (hosts, realms) = Collect(KerberosLogin);

        // The TGS-REQ carries the client's name only inside its encrypted ticket; the KDC's TGS-REP carries it in clear.
        Assert.Contains(new HostName("xp1", "kerberos-account"), hosts.Single(h => h.Address == IpAddr.Parse("10.1.12.2")).Names);
        Assert.Contains(new HostName("ubuntu64a", "kerberos-account"), hosts.Single(h => h.Address == IpAddr.Parse("192.168.10.12")).Names);
        Assert.DoesNotContain(hosts.Single(h => h.Address == IpAddr.Parse("10.5.3.1")).Names, n => n.Source == "kerberos-account");
        Assert.Contains("DENYDC.COM", realms);
    }

    [SharedDataFact(PrintNightmare)]
    public void RootDseAndLocatorPingNameTheDomainControllerAndSayItIsAGlobalCatalog()
    {
        var (hosts, _) = Collect(PrintNightmare);

        var dc = Assert.Single(hosts, h => h.Address == IpAddr.Parse("172.16.5.58"));
        Assert.Contains(new HostName("bas-ad-01.lab.local", "ldap-rootdse"), dc.Names);
        // The CLDAP Netlogon answers carry DS_DS_FLAG and DS_GC_FLAG (flags 0x0001f3fd).
        Assert.Equal(new DirectoryServerFacts("bas-ad-01.lab.local", true, true), dc.Directory);
        Assert.Contains("global-catalog", RoleSetModel.HintedRoles(dc));
        Assert.Contains("domain-controller", RoleSetModel.HintedRoles(dc));
    }

    [Fact]
    public void RootDseThatIsNoGlobalCatalogDeniesTheRole()
    {
        // searchResEntry for "" with dnsHostName and isGlobalCatalogReady FALSE.
        byte[] entry = Ldap(0x64, [0x04, 0x00, .. Ber(0x30, [.. Attribute("dnsHostName", "DC02.corp.example"), .. Attribute("isGlobalCatalogReady", "FALSE")])]);

        Assert.True(RootDseReader.TryRead(entry, out var facts));

        Assert.Equal(new DirectoryServerFacts("dc02.corp.example", false, false), facts);
        var host = new HostEvidence(IpAddr.Parse("10.1.0.30"), [], [], [], [], []) { Directory = facts };
        Assert.Equal(["global-catalog"], RoleHints.Denied(host));
        Assert.Empty(RoleSetModel.HintedRoles(host));
    }

    [Fact]
    public void NamesRegisteredWithAHostNameItAWinsServer()
    {
        var host = new HostEvidence(IpAddr.Parse("10.78.0.30"), [], [], [], [], []);
        Assert.DoesNotContain("wins-server", RoleSetModel.HintedRoles(host));
        Assert.Contains("wins-server", RoleSetModel.HintedRoles(host with { TakesNameRegistrations = true }));
        // A client group holds a WINS server's evidence when one of its addresses took registrations.
        Assert.True(HostEvidence.Merge(host.Address, [host, host with { TakesNameRegistrations = true }]).TakesNameRegistrations);
    }

    [Fact]
    public void AShareOfUsersFilesNamesAFileServerAndTheSharesEveryWindowsHostHasDoNot()
    {
        var host = new HostEvidence(IpAddr.Parse("10.78.0.20"), [], [], [], [], []) { Shares = ["ADMIN$", "C$", "IPC$", "NETLOGON", "PRINT$", "SYSVOL"] };
        Assert.DoesNotContain("file-server", RoleSetModel.HintedRoles(host));
        Assert.Contains("file-server", RoleSetModel.HintedRoles(host with { Shares = ["IPC$", "PUBLIC"] }));
    }

    [Fact]
    public void NetBiosNameServiceAskedFromInsideNamesAWindowsClient()
    {
        ServedService[] lookups = [new(Transport.Udp, 137, 4, [PortAudit.Flows.Facts.AppLabel.NetBiosNs])];
        Assert.Equal(["windows-host"], RoleHints.AsClient(new HostEvidence(IpAddr.Parse("10.0.1.87"), [], lookups, [], [], [])));
        // From the Internet it names nothing, and a host that served something is judged by what it served.
        Assert.Empty(RoleHints.AsClient(new HostEvidence(IpAddr.Parse("198.51.100.7"), [], lookups, [], [], [])));
        Assert.Empty(RoleHints.AsClient(new HostEvidence(IpAddr.Parse("10.0.1.87"), [new(Transport.Tcp, 80, 1, [])], lookups, [], [], [])));
    }

    [Fact]
    public void SipOn5061FromTheInternetNamesAFederationPartnerAndFromInsideALyncClient()
    {
        ServedService[] federation = [new(Transport.Tcp, 5061, 2, [PortAudit.Flows.Facts.AppLabel.Sip])];
        Assert.Equal(["federated-partner"], RoleHints.AsClient(new HostEvidence(IpAddr.Parse("198.51.100.41"), [], federation, [], [], [])));
        Assert.Equal(["lync-client"], RoleHints.AsClient(new HostEvidence(IpAddr.Parse("10.77.0.100"), [], federation, [], [], [])));
        // Remote users sign in on 443: TLS there from the Internet names nobody.
        Assert.Empty(RoleHints.AsClient(new HostEvidence(IpAddr.Parse("198.51.100.41"), [], [new(Transport.Tcp, 443, 2, [PortAudit.Flows.Facts.AppLabel.Tls])], [], [], [])));
    }

    [Fact]
    public void EntryForAnotherObjectOrAnotherOperationIsNoRootDse()
    {
        byte[] user = Ldap(0x64, [.. Ber(0x04, "CN=User0"u8.ToArray()), .. Ber(0x30, Attribute("dnsHostName", "x.example"))]);
        byte[] bind = Ldap(0x61, [0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00]);

        Assert.False(RootDseReader.TryRead(user, out _));
        Assert.False(RootDseReader.TryRead(bind, out _));
        Assert.False(NtlmChallengeReader.TryRead("NTLMSSP\0"u8.ToArray().Concat(new byte[60]).ToArray(), out _));
    }

    private static (IReadOnlyList<HostEvidence> Hosts, IReadOnlyList<string> Realms) Collect(string relative)
    {
        var (hosts, realms, _) = InventoryDraftRun.Collect(CaptureFileSource.Of([SharedData.Path(relative)!]), ScenarioAudit.RepositoryCatalog, new FlowTableOptions());
        return (hosts, realms);
    }

    private static byte[] Ldap(byte operation, byte[] content) => Ber(0x30, [0x02, 0x01, 0x07, .. Ber(operation, content)]);

    private static byte[] Attribute(string type, string value) =>
        Ber(0x30, [.. Ber(0x04, System.Text.Encoding.ASCII.GetBytes(type)), .. Ber(0x31, Ber(0x04, System.Text.Encoding.ASCII.GetBytes(value)))]);

    private static byte[] Ber(byte tag, byte[] content) => [tag, (byte)content.Length, .. content];
}
