namespace PortAudit.Decode;

/// <summary>
/// The link-layer header types (LINKTYPE_ values of the pcap and pcapng formats) that the decoder understands.
/// Other values pass through as plain numbers and are counted as skipped.
/// </summary>
public enum LinkType
{
    /// <summary>BSD loopback: 4-byte address family in the capturing host's byte order.</summary>
    Null = 0,
    /// <summary>Ethernet II and 802.3, with 802.1Q/802.1ad tags.</summary>
    Ethernet = 1,
    /// <summary>PPP with an optional HDLC address/control prefix.</summary>
    Ppp = 9,
    /// <summary>Raw IP (DLT_RAW on most systems).</summary>
    Raw = 12,
    /// <summary>Raw IP (DLT_RAW on OpenBSD).</summary>
    RawOpenBsd = 14,
    /// <summary>PPP in HDLC-like framing.</summary>
    PppHdlc = 50,
    /// <summary>Raw IP (LINKTYPE_RAW).</summary>
    LinktypeRaw = 101,
    /// <summary>OpenBSD loopback: 4-byte address family in network byte order.</summary>
    Loop = 108,
    /// <summary>Linux cooked capture v1.</summary>
    LinuxSll = 113,
    /// <summary>Raw IPv4.</summary>
    Ipv4 = 228,
    /// <summary>Raw IPv6.</summary>
    Ipv6 = 229,
    /// <summary>Linux cooked capture v2.</summary>
    LinuxSll2 = 276,
}
