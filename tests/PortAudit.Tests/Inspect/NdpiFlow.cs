using System.Text.RegularExpressions;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Tests.Sources.Live;

namespace PortAudit.Tests.Inspect;

/// <summary>One flow of nDPI's own output for a capture (ndpiReader's per-flow lines).</summary>
public sealed record NdpiFlow(string Capture, string Transport, IpAddr A, ushort PortA, IpAddr B, ushort PortB, string Protocol)
{
    private static readonly Regex Line = new(
        @"^\t\d+\t(?<t>TCP|UDP) (?<a>\S+?):(?<pa>\d+) <?-> (?<b>\S+?):(?<pb>\d+) .*?\[proto: (?:\w+:)?[\d.]+/(?<p>[^\]]+)\]",
        RegexOptions.Compiled);

    /// <summary>Runs ndpiReader on <paramref name="capture"/> and reads the flows it names <paramref name="protocol"/> (in either of its names).</summary>
    public static List<NdpiFlow> Run(string capture, string protocol)
    {
        using var dir = new TempDirectory();
        string results = dir.File(Path.GetFileName(capture) + ".out");
        File.WriteAllText(results, External.Run("ndpiReader", "-i", capture, "-v", "2", "-q"));
        return Read(results).Where(f => f.Protocol.Contains(protocol, StringComparison.Ordinal)).ToList();
    }

    /// <summary>Reads the TCP and UDP flows of one .out file; lines whose addresses nDPI printed unparseably are skipped.</summary>
    public static IEnumerable<NdpiFlow> Read(string path)
    {
        string capture = Path.GetFileName(path)[..^".out".Length];
        foreach (var text in File.ReadLines(path))
        {
            var m = Line.Match(text);
            if (!m.Success) continue;
            if (!IpAddr.TryParse(m.Groups["a"].Value.Trim('[', ']'), out var a) || !IpAddr.TryParse(m.Groups["b"].Value.Trim('[', ']'), out var b))
                continue;
            yield return new NdpiFlow(capture, m.Groups["t"].Value.ToLowerInvariant(), a, ushort.Parse(m.Groups["pa"].Value),
                b, ushort.Parse(m.Groups["pb"].Value), m.Groups["p"].Value);
        }
    }

    /// <summary>Our labels that agree with nDPI's master or application protocol; empty when the protocol is not one we report.</summary>
    public IReadOnlySet<string> Agreeing()
    {
        var labels = new HashSet<string>();
        foreach (var part in Protocol.Split('.'))
            if (Labels.TryGetValue(part, out var ours)) labels.UnionWith(ours);
        return labels;
    }

    /// <summary>The nDPI protocol the comparison is counted under: the first of its names that we report.</summary>
    public string Family => Protocol.Split('.').FirstOrDefault(Labels.ContainsKey) ?? Protocol;

    // nDPI names the application on top (IMAPS for TLS on 993, SMTPS after STARTTLS); we name what is on the wire.
    private static readonly Dictionary<string, string[]> Labels = new()
    {
        ["SIP"] = new[] { "sip" },
        ["TLS"] = new[] { "tls" },
        ["DTLS"] = new[] { "dtls" },
        ["QUIC"] = new[] { "quic" },
        ["STUN"] = new[] { "stun" },
        ["DCERPC"] = new[] { "dcerpc" },
        ["Kerberos"] = new[] { "kerberos" },
        ["LDAP"] = new[] { "ldap", "cldap" },
        ["SMBv1"] = new[] { "smb" },
        ["SMBv23"] = new[] { "smb" },
        ["NetBIOS"] = new[] { "netbios-ns", "netbios-dgm", "netbios-ssn" },
        ["DNS"] = new[] { "dns" },
        ["RDP"] = new[] { "rdp" },
        ["MsSQL-TDS"] = new[] { "tds" },
        ["HTTP"] = new[] { "http" },
        ["HTTP_Proxy"] = new[] { "http" },
        ["SMTP"] = new[] { "smtp" },
        ["SMTPS"] = new[] { "smtp" },
        ["POP3"] = new[] { "pop3" },
        ["POPS"] = new[] { "pop3" },
        ["IMAP"] = new[] { "imap" },
        ["IMAPS"] = new[] { "imap" },
        ["Usenet"] = new[] { "nntp" },
        ["Jabber"] = new[] { "xmpp" },
        ["NTP"] = new[] { "ntp" },
        ["SNMP"] = new[] { "snmp" },
        ["RADIUS"] = new[] { "radius" },
        ["IPSec"] = new[] { "ike" },
        ["RTP"] = new[] { "rtp" },
        ["RTCP"] = new[] { "rtcp" },
    };
}
