using PortAudit.Common;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Tests.Inspect;
using Xunit.Abstractions;

namespace PortAudit.Tests.Lab;

/// <summary>
/// kpasswd (RFC 3244) with real peers: MIT Kerberos from Debian, a realm made in a temporary directory (KRB5_CONFIG,
/// KRB5_KDC_PROFILE, kdb5_util create -s), krb5kdc and kadmind (which serves kpasswd on 464) on fe01, and MIT's kpasswd
/// client changing a password from client01, once over TCP (its first choice) and once over UDP (with TCP to 464 reset). tcpdump captures it;
/// each exchange on 464 is labelled kpasswd, change-password then reply, and tshark decodes the same conversations.
/// </summary>
[Trait(Tier.Name, Tier.Lab)]
public sealed class KpasswdLabTests(ITestOutputHelper output) : IDisposable
{
    private const string Realm = "PALAB.TEST", Server = TwoHostLab.ServerAddress;

    private readonly TwoHostLab _lab = new("pakpw");

    public void Dispose() => _lab.Dispose();

    [LabPeersFact("/usr/sbin/krb5kdc:krb5-kdc", "/usr/sbin/kdb5_util:krb5-kdc", "/usr/sbin/kadmind:krb5-admin-server",
        "/usr/sbin/kadmin.local:krb5-admin-server", "/usr/bin/kpasswd:krb5-user", "tcpdump:tcpdump", "tshark:tshark")]
    public void A_real_password_change_is_kpasswd_change_password_then_reply_over_tcp_and_udp()
    {
        _lab.Connect();
        var server = CreateRealm();
        _lab.Start(_lab.ServerNs, "/usr/sbin/krb5kdc", ["-n"], server);
        _lab.Start(_lab.ServerNs, "/usr/sbin/kadmind", ["-nofork"], server);
        _lab.WaitListening(_lab.ServerNs, "udp", 88, "krb5kdc");
        _lab.WaitListening(_lab.ServerNs, "tcp", 464, "kadmind");
        _lab.WaitListening(_lab.ServerNs, "udp", 464, "kadmind");
        string capture = Path.Combine(_lab.Dir, "kpasswd.pcap");
        var tcpdump = _lab.CaptureOnClient(capture);

        var client = ClientProfile();
        ChangePassword(client, "OldPassw0rd", "NewPassw0rd1");
        // MIT's client uses UDP for kpasswd only when no server takes TCP (UDP retransmits may look like replays): fe01
        // now resets TCP to 464, and the second change goes over UDP.
        string reset = Path.Combine(_lab.Dir, "reset-tcp-464.nft");
        File.WriteAllText(reset, "table inet pakpw {\n  chain input {\n    type filter hook input priority 0;\n    tcp dport 464 reject with tcp reset\n  }\n}\n");
        _lab.In(_lab.ServerNs, "nft", "-f", reset);
        ChangePassword(client, "NewPassw0rd1", "NewPassw0rd2");
        TwoHostLab.StopCapture(tcpdump, capture);

        var all = InspectTestData.Inspect(capture).Flows;
        // The TCP connection fe01 reset carries nothing to label.
        var refused = Assert.Single(all, f => f.ServerPort == 464 && f.State == PortAudit.Flows.FlowState.Rejected);
        Assert.Null(refused.App);
        var flows = all.Where(f => f.ServerPort == 464 && f != refused).ToList();
        var labelled = flows.Select(f => (f.Transport, f.App?.Name, f.AppDetail?.ToString())).OrderBy(f => f.Transport).ToList();
        Assert.Equal([("tcp", "kpasswd", "change-password; reply"), ("udp", "kpasswd", "change-password; reply")], labelled);
        Assert.All(flows, f => Assert.Equal(Server, f.Server.ToString()));
        Assert.Contains(all, f => f.ServerPort == 88 && f.App == AppLabel.Kerberos);

        TsharkLabelAgreementTests.AssertAgreement(output, capture, all, "kpasswd", "kpasswd");
    }

    // A realm in the temporary directory; the KDC's and kadmind's environment.
    private Dictionary<string, string> CreateRealm()
    {
        var environment = new Dictionary<string, string>
        {
            ["KRB5_CONFIG"] = ClientProfile(),
            ["KRB5_KDC_PROFILE"] = Path.Combine(_lab.Dir, "kdc.conf"),
        };
        File.WriteAllText(Path.Combine(_lab.Dir, "kadm5.acl"), "");
        File.WriteAllText(environment["KRB5_KDC_PROFILE"], $"""
            [kdcdefaults]
              kdc_listen = {Server}:88
              kdc_tcp_listen = {Server}:88
            [realms]
              {Realm} = {"{"}
                database_name = {_lab.Dir}/principal
                key_stash_file = {_lab.Dir}/stash
                acl_file = {_lab.Dir}/kadm5.acl
                kadmind_listen = {Server}:749
                kpasswd_listen = {Server}:464
              {"}"}
            [logging]
              kdc = FILE:{_lab.Dir}/kdc.log
              admin_server = FILE:{_lab.Dir}/kadmind.log
            """);
        Kerberos(_lab.ServerNs, "/usr/sbin/kdb5_util", ["create", "-s", "-r", Realm, "-P", "palab-master"], environment);
        Kerberos(_lab.ServerNs, "/usr/sbin/kadmin.local", ["-q", "addprinc -pw OldPassw0rd alice"], environment);
        return environment;
    }

    private string ClientProfile()
    {
        string path = Path.Combine(_lab.Dir, "krb5.conf");
        File.WriteAllText(path, $"""
            [libdefaults]
              default_realm = {Realm}
              dns_lookup_kdc = false
              dns_lookup_realm = false
              rdns = false
            [realms]
              {Realm} = {"{"}
                kdc = {Server}
                admin_server = {Server}
                kpasswd_server = {Server}
              {"}"}
            """);
        return path;
    }

    private void ChangePassword(string profile, string old, string changed)
    {
        var environment = new Dictionary<string, string> { ["KRB5_CONFIG"] = profile, ["KRB5CCNAME"] = $"FILE:{_lab.Dir}/client.cc" };
        var result = _lab.Run(_lab.ClientNs, "/usr/bin/kpasswd", ["alice"], TimeSpan.FromSeconds(30),
            System.Text.Encoding.ASCII.GetBytes($"{old}\n{changed}\n{changed}\n"), environment);
        Assert.True(result.ExitCode == 0 && result.StandardOutput.Contains("Password changed", StringComparison.Ordinal),
            $"kpasswd exited {result.ExitCode}: {result.StandardOutput} {result.StandardError}");
    }

    private void Kerberos(string ns, string program, string[] arguments, Dictionary<string, string> environment)
    {
        var result = _lab.Run(ns, program, arguments, environment: environment);
        Assert.True(result.ExitCode == 0, $"{program}: {result.StandardError}");
    }
}
