using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;

namespace PortAudit.Audit;

/// <summary>
/// The protocols a security review flags even on an allowed port: SMB1 (no integrity, the EternalBlue family), an LDAP
/// simple bind that sends a password in clear text, NTLMv1 (its responses are cracked offline), and Telnet or FTP (clear
/// text logons) between two zones. Each rests on what inspection read, never on a port.
/// </summary>
public static class WeakProtocols
{
    /// <summary>The weaknesses of <paramref name="flow"/> in words ("smb1; ntlmv1"), or null when it shows none.</summary>
    public static string? Of(Flow flow, AuditEndpoint client, AuditEndpoint server)
    {
        var weakness = flow.Weakness;
        bool cleartextLogon = flow.App == AppLabel.Telnet || flow.App == AppLabel.Ftp;
        string? crossing = cleartextLogon && client.Zone != server.Zone
            ? $"{flow.App} across zones ({client.Zone} to {server.Zone}): logons in clear text"
            : null;
        if (weakness == FlowWeakness.None) return crossing;
        var words = string.Join("; ", Descriptions.Where(d => (weakness & d.Weakness) != 0).Select(d => d.Text));
        return crossing is null ? words : $"{words}; {crossing}";
    }

    private static readonly (FlowWeakness Weakness, string Text)[] Descriptions =
    [
        (FlowWeakness.Smb1, "smb1 (SMB1/CIFS, deprecated: no pre-authentication integrity)"),
        (FlowWeakness.LdapCleartextBind, "ldap-cleartext-bind (an LDAP simple bind sent a password in clear text)"),
        (FlowWeakness.NtlmV1, "ntlmv1 (an NTLMv1 response, crackable offline)"),
    ];
}
