using PortAudit.Common;
using PortAudit.Decode;
using YamlDotNet.RepresentationModel;

namespace PortAudit.Catalog.Loading;

/// <summary>
/// Reads a rule's <c>icmp</c> field: the ICMP or ICMPv6 messages it allows, by name (<c>echo-request</c>,
/// <c>port-unreachable</c>), type number (<c>8</c>) or type and code (<c>3/3</c>), named in the rule's own transport.
/// </summary>
internal static class IcmpListReader
{
    private const string Key = "icmp";

    /// <summary>The messages, or null when the field is absent or wrong (each mistake reported at its value).</summary>
    public static IReadOnlyList<IcmpMessage>? Read(MappingReader entry, IReadOnlyList<Transport>? transports, ErrorList errors)
    {
        if (entry.Node(Key) is not { } node || transports is null)
            return null;
        if (!TransportNames.IsIcmp(transports[0]))
        {
            errors.Add(entry.SpotOf(node), $"field 'icmp' names ICMP messages: it needs transport icmp or icmpv6, not {TransportNames.Name(transports)}");
            return null;
        }
        // "icmp: []" would read as a narrowing yet allow nothing, as "ports: []" would.
        if (node is YamlSequenceNode { Children.Count: 0 })
        {
            errors.Add(entry.SpotOf(node), "field 'icmp' is empty: list the messages (echo-request...), or leave it out for any ICMP");
            return null;
        }
        var transport = transports[0];
        byte protocol = (byte)transport;
        var messages = new List<IcmpMessage>();
        foreach (var value in entry.TextList(Key))
        {
            string text = value.Value.Trim();
            if (IcmpMessages.TryParse(protocol, text, out byte type, out short code))
                messages.Add(new IcmpMessage(protocol, type, code));
            else
                errors.Add(value.Spot, $"unknown {TransportNames.Name(transport)} message '{text}'{Hint(transport, text)}" +
                                       " (expected a name such as echo-request or destination-unreachable, a type number, or TYPE/CODE)");
        }
        return messages;
    }

    // A name of the other ICMP is the likelier mistake than a typo (packet-too-big under icmp): say so rather than guess.
    private static string Hint(Transport transport, string text)
    {
        var other = transport == Transport.Icmp ? Transport.IcmpV6 : Transport.Icmp;
        return IcmpMessages.TryParse((byte)other, text, out _, out _)
            ? $": an {TransportNames.Name(other)} message, not an {TransportNames.Name(transport)} one"
            : Spelling.Suggestion(text, IcmpMessages.Names((byte)transport));
    }
}
