using PortAudit.Common;
using PortAudit.Tests.Inspect;
using Xunit.Abstractions;

namespace PortAudit.Tests.Lab;

/// <summary>
/// WINS replication ([MS-WINSRA]) with real peers: a Samba AD DC provisioned in a temporary directory runs its WINS
/// replication server (wrepl, 42/tcp) on fe01, and Samba's own test client (smbtorture nbt.winsreplication.assoc_ctx2)
/// opens and stops associations from client01. tcpdump captures it; each connection is labelled wins-replication with
/// the client's start association, and tshark's winsrepl dissector decodes the same conversations.
/// </summary>
[Trait(Tier.Name, Tier.Lab)]
public sealed class WinsReplicationLabTests(ITestOutputHelper output) : IDisposable
{
    private const string Server = TwoHostLab.ServerAddress;

    private readonly TwoHostLab _lab = new("pawins");

    public void Dispose() => _lab.Dispose();

    [LabPeersFact("/usr/sbin/samba:samba", "samba-tool:samba", "/usr/share/samba/setup/ad-schema:samba-ad-provision",
        "/usr/lib/*/samba/ldb/samba_secrets.so:samba-dsdb-modules",
        "/usr/lib/*/samba/vfs/acl_xattr.so:samba-vfs-modules", "smbtorture:samba-testsuite", "tcpdump:tcpdump", "tshark:tshark")]
    public void Samba_replication_associations_are_wins_replication_as_tshark_decodes_them()
    {
        _lab.Connect();
        // An AD DC with only the NetBIOS name and WINS replication services; no DNS, no LDAP, no KDC.
        var provision = _lab.Run(_lab.ServerNs, "samba-tool",
        [
            "domain", "provision", $"--targetdir={_lab.Dir}", "--realm=PALAB.TEST", "--domain=PALAB", "--server-role=dc",
            "--adminpass=Palab-Adm1n!", "--dns-backend=NONE", $"--host-ip={Server}", "--host-name=fe01",
            $"--option=interfaces={Server}", "--option=bind interfaces only=yes", "--option=wins support=yes",
            "--option=server services=wrepl nbt", $"--option=log file={_lab.Dir}/log.%m",
        ], TimeSpan.FromMinutes(3));
        Assert.True(provision.ExitCode == 0, $"samba-tool domain provision: {provision.StandardError}");
        _lab.Start(_lab.ServerNs, "/usr/sbin/samba", ["-s", Path.Combine(_lab.Dir, "etc", "smb.conf"), "-i", "-M", "single"]);
        _lab.WaitListening(_lab.ServerNs, "tcp", 42, "samba's wrepl server");
        string capture = Path.Combine(_lab.Dir, "wins.pcap");
        var tcpdump = _lab.CaptureOnClient(capture);

        var torture = _lab.Run(_lab.ClientNs, "smbtorture", [$"//{Server}/_none_", "nbt.winsreplication.assoc_ctx2", "-N"], TimeSpan.FromSeconds(60));
        Assert.True(torture.StandardOutput.Contains("success: assoc_ctx2", StringComparison.Ordinal),
            $"smbtorture exited {torture.ExitCode}: {torture.StandardOutput} {torture.StandardError}");
        TwoHostLab.StopCapture(tcpdump, capture);

        var flows = InspectTestData.Inspect(capture).Flows;
        var wins = flows.Where(f => f.ServerPort == 42).ToList();
        Assert.True(wins.Count > 0, $"no connection to 42 captured; smbtorture said: {torture.StandardOutput}; flows: "
            + string.Join(", ", flows.Select(f => $"{f.Transport} {f.Client}:{f.ClientPort} {f.Server}:{f.ServerPort}")));
        Assert.All(wins, f => Assert.Equal(("wins-replication", "start-association"), (f.App?.Name, f.AppDetail?.ToString())));
        TsharkLabelAgreementTests.AssertAgreement(output, capture, flows, "wins-replication", "winsrepl");
    }
}
