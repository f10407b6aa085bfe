namespace PortAudit.Sources.Records;

/// <summary>
/// The protocol names nfdump prints in its <c>pr</c> column: its own table of protocols 0 to 137 (nfdump 1.7's
/// ProtoString: ICMP6 for 58, AH for 51, IPv6 for 41, IPIP for 4...), and the number for the rest.
/// </summary>
public static class NfdumpProtocols
{
    // By number. Where nfdump gives two numbers one name (IPIP 4 and 94, IDPR 35 and 38), the name reads as the lower,
    // as nfdump's own filter reads it; a number that is its own name (0, 99, 128, 134) is read as a number.
    private static readonly string[] Names =
    [
        "0", "ICMP", "IGMP", "GGP", "IPIP", "ST", "TCP", "CBT", "EGP", "IGP",
        "BBN", "NVPII", "PUP", "ARGUS", "ENCOM", "XNET", "CHAOS", "UDP", "MUX", "DCN",
        "HMP", "PRM", "XNS", "Trnk1", "Trnk2", "Leaf1", "Leaf2", "RDP", "IRTP", "ISO-4",
        "NETBK", "MFESP", "MEINP", "DCCP", "3PC", "IDPR", "XTP", "DDP", "IDPR", "TP++",
        "IL", "IPv6", "SDRP", "Rte6", "Frag6", "IDRP", "RSVP", "GRE", "MHRP", "BNA",
        "ESP", "AH", "INLSP", "SWIPE", "NARP", "MOBIL", "TLSP", "SKIP", "ICMP6", "NOHE6",
        "OPTS6", "HOST", "CFTP", "NET", "SATNT", "KLAN", "RVD", "IPPC", "FS", "SATM",
        "VISA", "IPCV", "CPNX", "CPHB", "WSN", "PVP", "BSATM", "SUNND", "WBMON", "WBEXP",
        "ISOIP", "VMTP", "SVMTP", "VINES", "TTP", "NSIGP", "DGP", "TCF", "EIGRP", "OSPF",
        "S-RPC", "LARP", "MTP", "AX.25", "IPIP", "MICP", "SCCSP", "ETHIP", "ENCAP", "99",
        "GMTP", "IFMP", "PNNI", "PIM", "ARIS", "SCPS", "QNX", "A/N", "IPcmp", "SNP",
        "CpqPP", "IPXIP", "VRRP", "PGM", "0hop", "L2TP", "DDX", "IATP", "STP", "SRP",
        "UTI", "SMP", "SM", "PTP", "ISIS4", "FIRE", "CRTP", "CRUDP", "128", "IPLT",
        "SPS", "PIPE", "SCTP", "FC", "134", "MHEAD", "UDP-L", "MPLS",
    ];

    /// <summary>
    /// The protocol number of a name nfdump prints (any case), or of a number; the names other logs use
    /// (<see cref="RecordFields.TryParseProtocol"/>) are read too.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out byte protocol)
    {
        if (RecordFields.TryParseProtocol(text, out protocol)) return true;
        for (int number = 0; number < Names.Length; number++)
        {
            if (!text.Equals(Names[number], StringComparison.OrdinalIgnoreCase)) continue;
            protocol = (byte)number;
            return true;
        }
        return false;
    }
}
