namespace PortAudit.Decode;

/// <summary>The Ethernet types the decoder reads (IEEE 802 numbers), also what a GRE or Geneve header says it carries.</summary>
internal static class EtherTypes
{
    public const ushort Ipv4 = 0x0800;
    public const ushort Ipv6 = 0x86DD;
    public const ushort Vlan = 0x8100;
    public const ushort QinQ = 0x88A8;
    public const ushort QinQOld = 0x9100;
    public const ushort PppoeSession = 0x8864;
    public const ushort Mpls = 0x8847;
    /// <summary>An Ethernet frame inside a tunnel (GRE's and Geneve's "transparent Ethernet bridging").</summary>
    public const ushort TransparentBridging = 0x6558;
    /// <summary>A PPP frame: PPTP's in GRE, L2TP's in UDP.</summary>
    public const ushort Ppp = 0x880B;
}
