using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// The application an ALPN protocol id names (IANA's "TLS Application-Layer Protocol Negotiation (ALPN) Protocol IDs"
/// registry, RFC 7301 6), for the ids whose application inspection has a label of: what a TLS connection whose server
/// selected that id carries inside. Ids of applications no inspector labels (mqtt, irc, postgresql, managesieve, coap,
/// sunrpc, ntske/1, dicom, radius/1.x, webrtc...), acme-tls/1 (a certificate authority's TLS-ALPN-01 check, RFC 8737,
/// which carries no application) and ids outside the registry name nothing here. The registry has no id for LDAP.
/// </summary>
public static class AlpnProtocols
{
    // Registry ids, lower-case as registered (ids are compared as bytes, RFC 7301 3.1), with the application in words.
    private static readonly (string Id, AppLabel Label, string Name)[] Known =
    [
        ("http/0.9", AppLabel.Http, "HTTP/0.9"), ("http/1.0", AppLabel.Http, "HTTP/1.0"), ("http/1.1", AppLabel.Http, "HTTP/1.1"),
        ("h2", AppLabel.Http, "HTTP/2"), ("h2c", AppLabel.Http, "HTTP/2"), ("h3", AppLabel.Http, "HTTP/3"),
        ("spdy/1", AppLabel.Http, "SPDY/1"), ("spdy/2", AppLabel.Http, "SPDY/2"), ("spdy/3", AppLabel.Http, "SPDY/3"),
        ("imap", AppLabel.Imap, "IMAP"), ("pop3", AppLabel.Pop3, "POP3"), ("ftp", AppLabel.Ftp, "FTP"),
        ("xmpp-client", AppLabel.Xmpp, "XMPP client-to-server"), ("xmpp-server", AppLabel.Xmpp, "XMPP server-to-server"),
        ("nntp", AppLabel.Nntp, "NNTP reading"), ("nnsp", AppLabel.Nntp, "NNTP transit"),
        ("smb", AppLabel.Smb, "SMB2"), ("sip/2", AppLabel.Sip, "SIP"), ("tds/8.0", AppLabel.Tds, "TDS 8.0"),
        ("dot", AppLabel.Dns, "DNS over TLS"), ("doq", AppLabel.Dns, "DNS over QUIC"),
        ("stun.turn", AppLabel.Stun, "TURN"), ("stun.nat-discovery", AppLabel.Stun, "STUN NAT discovery"),
    ];

    /// <summary>
    /// The label of the application ALPN id <paramref name="id"/> names and that application in words ("HTTP/2"), or
    /// false for an id of none that inspection labels. <paramref name="id"/> is the id as a detail writes it (escaped wire
    /// text, which a registered id never needs).
    /// </summary>
    public static bool TryGetApplication(ReadOnlySpan<char> id, out AppLabel label, out string name)
    {
        foreach (var known in Known)
            if (id.SequenceEqual(known.Id))
            {
                (label, name) = (known.Label, known.Name);
                return true;
            }
        (label, name) = (null!, null!);
        return false;
    }

    /// <summary>The ALPN id the server selected, as <paramref name="detail"/> (a TLS or DTLS flow's) writes it; empty when it names none.</summary>
    public static ReadOnlySpan<char> Selected(AppDetail? detail)
    {
        for (int i = 0; detail is not null && i < detail.Count; i++)
            if (detail.KeyAt(i).SequenceEqual(DetailKeys.SelectedAlpn)) return detail.ValueAt(i);
        return default;
    }
}
