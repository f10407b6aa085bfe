namespace PortAudit.Tests;

/// <summary>
/// The IP layers tshark dissected in one frame, outermost first, as frame.protocols names them: a tunnel's packet has
/// several, and the packet an ICMP error quotes is left out (it is not the frame's). A field of the ip or ipv6 dissector
/// lists one value per layer of its version, so a layer's <see cref="Layer.Index"/> picks its value of any such field.
/// </summary>
internal static class TsharkIpLayers
{
    /// <summary>One IP layer of a frame.</summary>
    /// <param name="V6">IPv6, else IPv4.</param>
    /// <param name="Index">Its place among the frame's layers of its version: where its values are in an ip.* or ipv6.* field.</param>
    /// <param name="Next">The layer frame.protocols names after it ("udp", "ipv6", "gre"...), or empty.</param>
    internal readonly record struct Layer(bool V6, int Index, string Next)
    {
        /// <summary>This layer's value of <paramref name="field"/>, a field of its version as tshark printed it ("a,b").</summary>
        public string Of(string field) => field.Split(',')[Index];
    }

    /// <summary>
    /// The layers of a frame whose frame.protocols is <paramref name="protocols"/> and whose ip.src and ipv6.src are
    /// <paramref name="ipSources"/> and <paramref name="ipv6Sources"/>.
    /// </summary>
    public static List<Layer> Of(string protocols, string ipSources, string ipv6Sources)
    {
        string[] v4 = ipSources.Split(','), v6 = ipv6Sources.Split(',');
        // IPv6 extension headers are layers of their own there ("ipv6.hopopts"), not IP packets.
        var names = protocols.Split(':').Where(name => !name.StartsWith("ipv6.", StringComparison.Ordinal)).ToList();
        var layers = new List<Layer>();
        int v4Next = 0, v6Next = 0;
        for (int i = 0; i < names.Count && names[i] is not ("icmp" or "icmpv6"); i++)
        {
            string next = i + 1 < names.Count ? names[i + 1] : "";
            // An Ethernet type of IPv4 before a version-6 header: tshark's ip hands the packet to ipv6 and prints no
            // IPv4 value, so that ip is no layer (our decoder finds the frame malformed).
            if (names[i] == "ip" && v4Next < v4.Length && v4[v4Next].Length > 0) layers.Add(new(false, v4Next++, next));
            else if (names[i] == "ipv6" && v6Next < v6.Length && v6[v6Next].Length > 0) layers.Add(new(true, v6Next++, next));
        }
        return layers;
    }
}
