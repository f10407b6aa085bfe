using System.Text.Json;

namespace PortAudit.Tests.Lab;

/// <summary>
/// The Windows lab end to end: tools/lab/windows-lab.sh provisions a Samba AD domain in namespaces, its members log on and
/// work, and this build audits it live; the test reads what the audit wrote. The capture it saves is the second real
/// deployment the role drafter is judged on, so the script has to keep working.
/// </summary>
[Trait(Tier.Name, Tier.Lab)]
// The lab takes about 20 s; the bound leaves room for a loaded CI machine.
public sealed class WindowsLabTests() : LabScriptTest("windows-lab.sh", "pawt", TimeSpan.FromSeconds(120))
{
    [LabPeersFact("/usr/sbin/samba:samba", "samba-tool:samba", "nmbd:samba", "smbd:samba",
        "/usr/share/samba/setup/ad-schema:samba-ad-provision", "/usr/lib/*/samba/ldb/samba_secrets.so:samba-dsdb-modules",
        "/usr/lib/*/samba/vfs/acl_xattr.so:samba-vfs-modules", "smbclient:smbclient", "nmblookup:smbclient",
        "kinit:krb5-user", "kpasswd:krb5-user", "ldapsearch:ldap-utils", "/usr/lib/*/sasl2/libgssapiv2.so:libsasl2-modules-gssapi-mit")]
    public void LiveAuditOfTheDomainFindsItsMembersLogonTrafficExpected()
    {
        Check(() =>
        {
            var (exit, output) = RunScript();
            Assert.True(exit == 0, $"windows-lab.sh exited {exit}:\n{output}");

            var flows = Flows();
            foreach (var member in new[] { "ws01", "ws02", "ws03" })
            {
                AssertFlow(flows, "tcp", member, "dc01", 88, "kerberos", "expected");
                AssertFlow(flows, "tcp", member, "dc01", 389, "ldap", "expected");
                AssertFlow(flows, "tcp", member, "dc01", 3268, "ldap", "expected");
                AssertFlow(flows, "tcp", member, "dc01", 445, "smb", "expected");
                AssertFlow(flows, "udp", member, "dc01", 53, "dns", "expected");
                AssertFlow(flows, "tcp", member, "fs01", 445, "smb", "expected");
                // NETLOGON on the port the endpoint mapper named.
                Assert.Contains(flows, f => Text(f, "clientHost") == member && Text(f, "serverHost") == "dc01" && Text(f, "app") == "dcerpc"
                    && f.GetProperty("serverPort").GetInt32() >= 49152 && Text(f, "verdict") == "expected-dynamic-rpc");
            }
            AssertFlow(flows, "tcp", "ws03", "dc01", 464, "kpasswd", "expected");
            // NetBIOS broadcasts to the segment are judged against the hosts they reach, which the inventory names.
            var broadcasts = flows.Where(f => Text(f, "server") == "10.78.0.255").ToList();
            Assert.Contains(broadcasts, f => Text(f, "clientHost") == "ws01" && Text(f, "app") == "netbios-ns");
            Assert.All(broadcasts, f => Assert.Equal(("(broadcast:winlab 10.78.0.255)", "expected"), (Text(f, "serverHost"), Text(f, "verdict"))));

            // A domain doing what a domain does: nothing the catalog refuses, nothing blocked.
            using var report = Report();
            var findings = report.RootElement.GetProperty("findings").EnumerateArray().ToList();
            // Each finding described, so that a failure on a loaded machine says which flows and why.
            string described = string.Join("; ", findings.Select(f =>
                $"{Text(f, "kind")} {Text(f, "clientHost")}->{Text(f, "serverHost")} {f.GetProperty("ports")} {f.GetProperty("rule")}: {Text(f, "reason")}"));
            var kinds = findings.Select(f => Text(f, "kind")).ToList();
            Assert.False(kinds.Contains("unexpected"), described);
            Assert.False(kinds.Contains("required-blocked"), described);
            Assert.False(kinds.Contains("protocol-mismatch"), described);
            Assert.True(File.Exists(Path.Combine(Dir, "out", "windows-lab.pcapng")));
            Assert.True(File.Exists(Path.Combine(Dir, "out", "windows-lab.yaml")));
        });
    }
}
