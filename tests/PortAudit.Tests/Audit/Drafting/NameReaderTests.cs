using System.Text;
using PortAudit.Audit.Drafting;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Pipeline;
using PortAudit.Sources.Files;
using PortAudit.Tests.Scenarios;

namespace PortAudit.Tests.Audit.Drafting;

[Trait(Tier.Name, Tier.Unit)]
public class NameReaderTests
{
    private const string Dns = "10.1.0.53", Fe = "10.1.0.10", Client = "10.1.0.100";

    [Fact]
    public void SrvAnswerNamesTheFrontEndPoolAndItsAddress()
    {
        var records = new List<DnsNameRecord>();

        Assert.True(DnsNameReader.TryRead(SrvResponse(), records));

        Assert.Equal([(DnsNameReader.Srv, "_sipinternaltls._tcp.example.com", "fe01.example.com"), (DnsNameReader.A, "fe01.example.com", null)],
            records.Select(r => (r.Type, r.Owner, r.Target)));
        Assert.Equal(IpAddr.Parse(Fe), records[1].Address);
    }

    [Theory]
    [InlineData(@"\\FS01\public", "fs01")]
    [InlineData(@"\\fs01.corp.example.com\IPC$", "fs01.corp.example.com")]
    [InlineData(@"\\10.0.0.12\public", null)]
    public void TreeConnectNamesItsServer(string path, string? server) => Assert.Equal(server, SmbTreeNameReader.TryServer(TreeConnect(path)));

    [Theory]
    [InlineData(@"\\FS01\public", "fs01", "PUBLIC")]
    [InlineData(@"\\10.0.0.12\Projects", null, "PROJECTS")]
    [InlineData(@"\\dc01\IPC$", "dc01", "IPC$")]
    [InlineData(@"\\dc01", "dc01", "")]
    public void TreeConnectNamesItsShare(string path, string? server, string share) =>
        Assert.Equal((server, share), SmbTreeNameReader.TryRead(TreeConnect(path)));

    [Fact]
    public void TreeConnectResponseNamesNothing()
    {
        var response = TreeConnect(@"\\FS01\public");
        response[4 + 16] |= 1;

        Assert.Null(SmbTreeNameReader.TryServer(response));
        Assert.Null(SmbTreeNameReader.TryServer(Payloads.Smb2Negotiate));
    }

    // An SMB2 TREE_CONNECT request over direct TCP: header, the 8-byte body, the path in UTF-16.
    private static byte[] TreeConnect(string path)
    {
        var name = Encoding.Unicode.GetBytes(path);
        var smb = new byte[64 + 8 + name.Length];
        smb[0] = 0xFE;
        "SMB"u8.CopyTo(smb.AsSpan(1));
        smb[4] = 64;
        smb[12] = 3;
        smb[64] = 9;
        smb[68] = 72;
        smb[70] = (byte)name.Length;
        name.CopyTo(smb, 72);
        return [0, 0, (byte)(smb.Length >> 8), (byte)smb.Length, .. smb];
    }

    [Fact]
    public void QueryIsNoAnswer() => Assert.False(DnsNameReader.TryRead(Query(), []));

    [Fact]
    public void ReverseOwnerGivesTheAddress()
    {
        Assert.True(DnsNameReader.TryReverseAddress("10.0.1.10.in-addr.arpa", out var address));
        Assert.Equal(IpAddr.Parse("10.1.0.10"), address);
    }

    [Fact]
    public void NetBiosRegistrationNamesTheRegisteredAddress()
    {
        var names = new List<(string, IpAddr)>();

        NetBiosNameReader.Read(NetBiosRegistration("WS01", Client), names);

        Assert.Equal([("WS01", IpAddr.Parse(Client))], names);
    }

    [Theory]
    [InlineData(0x20, 0x00, true)]   // FS01<20>, the server service: the machine
    [InlineData(0x00, 0x80, false)]  // WINLAB<00> as a group: the domain
    [InlineData(0x1D, 0x00, false)]  // WINLAB<1D>: unique, but the master browser's, whichever host it is now
    [InlineData(0x1B, 0x00, false)]  // the domain master browser's
    public void NetBiosNamesAreMachinesOnlyWhenUniqueAndOfTheirServices(byte suffix, byte flags, bool machine)
    {
        var names = new List<(string, IpAddr)>();

        NetBiosNameReader.Read(NetBiosRegistration("WINLAB", Client, suffix, flags), names);

        Assert.Equal(machine ? [("WINLAB", IpAddr.Parse(Client))] : [], names);
    }

    [Fact]
    public void KerberosStringsGiveTheMachineAccountAndRealm()
    {
        var strings = new List<string>();

        KerberosNameReader.Read(KerberosRequest(), strings);

        Assert.Equal(["WS01$", "CORP.EXAMPLE"], strings);
    }

    [Fact]
    public void KerberosPrincipalNamesAreReadWithTheirComponentsJoined()
    {
        var strings = new List<string>();

        KerberosNameReader.Read(ServiceTicketRequest("cifs", "fs01.corp.example"), strings);

        Assert.Equal(["CORP.EXAMPLE", "cifs/fs01.corp.example"], strings);
    }

    [Fact]
    public void AServicePrincipalIsTiedToTheHostItNamesNotToTheKdc()
    {
        const string FileServer = "10.1.0.20";
        byte[] request = ServiceTicketRequest("cifs", "fs01.corp.example");
        var capture = new ScenarioCapture("spn.pcap", 1_795_420_800)
            .Udp(FileServer, "10.1.0.255", 137, 1, NetBiosRegistration("FS01", FileServer))
            .Tcp(Client, Dns, 88, 2, [.. new byte[] { 0, 0, 0, (byte)request.Length }, .. request], [0x7e, 0x03, 0x02, 0x01, 0x05])
            .Tcp(Client, FileServer, 445, 3);
        var hosts = Collect(capture);

        Assert.Contains(new HostName("cifs/fs01.corp.example", "kerberos-spn"), hosts.Single(h => h.Address == IpAddr.Parse(FileServer)).Names);
        Assert.DoesNotContain(hosts.SelectMany(h => h.Address == IpAddr.Parse(FileServer) ? [] : h.Names), n => n.Source == "kerberos-spn");
    }

    [Fact]
    public void CollectorGivesEachAddressItsNamesAndTheSrvServicesAtIt()
    {
        var capture = new ScenarioCapture("names.pcap", 1_795_420_800)
            .Udp(Client, Dns, 53, 1, Query(), SrvResponse())
            .Udp(Client, "10.1.0.255", 137, 2, NetBiosRegistration("WS01", Client))
            .Tcp(Client, Dns, 88, 3, [.. new byte[] { 0, 0, 0, 27 }, .. KerberosRequest()], [0x7e, 0x03, 0x02, 0x01, 0x05])
            .Tcp(Client, Fe, 5061, 4);
        var hosts = Collect(capture);

        var fe = Assert.Single(hosts, h => h.Address == IpAddr.Parse(Fe));
        Assert.Equal(["_sipinternaltls._tcp.example.com"], fe.Services);
        Assert.Contains(new HostName("fe01.example.com", "dns"), fe.Names);
        var client = Assert.Single(hosts, h => h.Address == IpAddr.Parse(Client));
        Assert.Equal([new HostName("ws01", "netbios"), new HostName("ws01", "kerberos-account")], client.Names);
        Assert.Equal(["lync-front-end"], RoleSetModel.HintedRoles(fe));
    }

    private static IReadOnlyList<HostEvidence> Collect(ScenarioCapture capture)
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("portaudit-names").FullName, capture.Name);
        try
        {
            File.WriteAllBytes(path, capture.Build());
            return InventoryDraftRun.Collect(CaptureFileSource.Of([path]), ScenarioAudit.RepositoryCatalog, new FlowTableOptions()).Hosts;
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    private static byte[] Name(string name) =>
        [.. name.Split('.').SelectMany(l => new[] { (byte)l.Length }.Concat(Encoding.ASCII.GetBytes(l))), 0];

    private static byte[] Query() => [0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, .. Name("_sipinternaltls._tcp.example.com"), 0, 33, 0, 1];

    // One question, an SRV answer whose owner points at the question, and the A record of its target.
    private static byte[] SrvResponse()
    {
        byte[] target = Name("fe01.example.com");
        return
        [
            0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 1, .. Name("_sipinternaltls._tcp.example.com"), 0, 33, 0, 1,
            0xC0, 12, 0, 33, 0, 1, 0, 0, 0x0e, 0x10, 0, (byte)(6 + target.Length), 0, 0, 0, 0, 0x13, 0xc5, .. target,
            .. target, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 10, 1, 0, 10,
        ];
    }

    private static byte[] NetBiosRegistration(string name, string address, byte suffix = 0, byte flags = 0)
    {
        var encoded = Encoding.ASCII.GetBytes(name.PadRight(15)).Append(suffix).SelectMany(b => new[] { (byte)('A' + (b >> 4)), (byte)('A' + (b & 15)) });
        return
        [
            0x80, 0x01, 0x29, 0x10, 0, 1, 0, 0, 0, 0, 0, 1, 32, .. encoded, 0, 0, 0x20, 0, 1,
            0xC0, 12, 0, 0x20, 0, 1, 0, 0x04, 0x93, 0xe0, 0, 6, flags, 0, .. IpAddr.Parse(address).ToIPAddress().GetAddressBytes(),
        ];
    }

    // A SEQUENCE holding [1] cname "WS01$" and [2] realm "CORP.EXAMPLE", as KerberosStrings.
    // A KDC-REQ-BODY's fragment as RFC 4120 5.4.1 lays it out: realm [2], then sname [3] PrincipalName (NT-SRV-INST).
    private static byte[] ServiceTicketRequest(string service, string host)
    {
        byte[] names = [0x1B, (byte)service.Length, .. Encoding.ASCII.GetBytes(service), 0x1B, (byte)host.Length, .. Encoding.ASCII.GetBytes(host)];
        byte[] principal = [0xA0, 3, 0x02, 1, 2, 0xA1, (byte)(names.Length + 2), 0x30, (byte)names.Length, .. names];
        byte[] body = [0xA2, 14, 0x1B, 12, .. Encoding.ASCII.GetBytes("CORP.EXAMPLE"), 0xA3, (byte)(principal.Length + 2), 0x30, (byte)principal.Length, .. principal];
        return [0x30, (byte)body.Length, .. body];
    }

    private static byte[] KerberosRequest() =>
    [
        0x30, 25, 0xA1, 7, 0x1B, 5, .. Encoding.ASCII.GetBytes("WS01$"), 0xA2, 14, 0x1B, 12, .. Encoding.ASCII.GetBytes("CORP.EXAMPLE"),
    ];
}
