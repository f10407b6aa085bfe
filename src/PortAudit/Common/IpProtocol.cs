namespace PortAudit.Common;

/// <summary>IP protocol numbers the decoder treats specially, and their names in output.</summary>
public static class IpProtocol
{
    /// <summary>ICMP.</summary>
    public const byte Icmp = 1;
    /// <summary>IPv4 encapsulated in IP.</summary>
    public const byte IpInIp = 4;
    /// <summary>TCP.</summary>
    public const byte Tcp = 6;
    /// <summary>UDP.</summary>
    public const byte Udp = 17;
    /// <summary>IPv6 encapsulated in IP (6in4).</summary>
    public const byte Ipv6InIp = 41;
    /// <summary>IPv6 fragment header.</summary>
    public const byte Ipv6Fragment = 44;
    /// <summary>GRE.</summary>
    public const byte Gre = 47;
    /// <summary>IPsec ESP.</summary>
    public const byte Esp = 50;
    /// <summary>IPsec AH.</summary>
    public const byte Ah = 51;
    /// <summary>ICMPv6.</summary>
    public const byte IcmpV6 = 58;
    /// <summary>IPv6 "no next header".</summary>
    public const byte NoNextHeader = 59;
    /// <summary>SCTP.</summary>
    public const byte Sctp = 132;

    private static readonly string[] Names = BuildNames();

    /// <summary>The lowercase name used in flow records: tcp, udp, icmp, gre, esp, ah..., or the number.</summary>
    public static string Name(byte protocol) => Names[protocol];

    /// <summary>Parses a name or a number; returns false for anything else.</summary>
    public static bool TryParse(string text, out byte protocol)
    {
        for (int i = 0; i < Names.Length; i++)
        {
            if (string.Equals(Names[i], text, StringComparison.OrdinalIgnoreCase))
            {
                protocol = (byte)i;
                return true;
            }
        }
        return byte.TryParse(text, out protocol);
    }

    private static string[] BuildNames()
    {
        var names = new string[256];
        for (int i = 0; i < names.Length; i++) names[i] = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        names[Icmp] = "icmp";
        names[2] = "igmp";
        names[IpInIp] = "ipip";
        names[Tcp] = "tcp";
        names[Udp] = "udp";
        names[Ipv6InIp] = "ipv6";
        names[Gre] = "gre";
        names[Esp] = "esp";
        names[Ah] = "ah";
        names[IcmpV6] = "icmpv6";
        names[88] = "eigrp";
        names[89] = "ospf";
        names[103] = "pim";
        names[112] = "vrrp";
        names[Sctp] = "sctp";
        return names;
    }
}
