using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;

namespace PortAudit.Sources.Records;

/// <summary>What a firewall decided about what it logged.</summary>
public enum FirewallDecision
{
    /// <summary>Let through (accept, allow, permit, built).</summary>
    Allowed,
    /// <summary>Dropped or refused (drop, reject, deny): direct evidence of a blocked flow.</summary>
    Blocked,
}

/// <summary>
/// One packet a firewall logged (a netfilter LOG line, a pfirewall.log row, an ASA access-list hit), turned into a
/// one-packet flow: blocked, established when it opens (a SYN without ACK, or not TCP), else midstream. The sender
/// is the client when the packet opens (a SYN without ACK); a SYN-ACK's sender is the server; any other packet is
/// placed as the flow table places a flow whose opening it did not see: the side on a service port is the server (the
/// audit's catalog ports in an audit, ports below 1024 otherwise).
/// </summary>
public static class LoggedPacket
{
    /// <summary>Fills <paramref name="record"/> with the packet; <paramref name="syn"/> and <paramref name="ack"/> are its TCP flags.</summary>
    public static void Fill(ref FlowRecord record, byte protocol, IpAddr source, ushort sourcePort, IpAddr destination, ushort destinationPort,
        long bytes, bool syn, bool ack, long timeNs, FirewallDecision decision, IServerPortHint? hint = null)
    {
        hint ??= WellKnownPortHint.Instance;
        record.Protocol = protocol;
        record.Client = source;
        record.ClientPort = sourcePort;
        record.Server = destination;
        record.ServerPort = destinationPort;
        record.StartNs = record.EndNs = timeNs;
        record.PacketsToServer = 1;
        record.BytesToServer = bytes;
        record.Evidence = FlowEvidence.FirewallLog;
        bool tcp = protocol == IpProtocol.Tcp;
        bool senderIsServer = tcp && syn
            ? ack
            : hint.IsServerPort(protocol, sourcePort) && !hint.IsServerPort(protocol, destinationPort);
        if (senderIsServer) record.Swap();
        // A TCP packet logged after the opening (no SYN, or the server's SYN-ACK) is midstream from either end: the state
        // does not rest on the sides the ports gave, which an audit reading the flow back from a store may take again. A
        // datagram from the server's port is midstream too: the client's opening is not in the log (Flow.State).
        bool opening = tcp ? syn && !ack : !senderIsServer;
        record.State = decision == FirewallDecision.Blocked ? FlowState.Blocked
            : opening ? FlowState.Established : FlowState.Midstream;
        // Without a SYN the ports decided: a store keeps that, and an audit reading the flow back decides again with its
        // own ports (Flow.TakeSidesAgain), as the audit of the log does. An ICMP message has no ports to decide with.
        record.SidesFromPorts = !(tcp && syn) && (sourcePort != 0 || destinationPort != 0);
        record.FirstSentByServer = senderIsServer && record.SidesFromPorts;
    }

    /// <summary>The decision a log's action word names, or null when it names none (a LOG prefix of the admin's choosing).</summary>
    public static FirewallDecision? DecisionOf(ReadOnlySpan<char> text)
    {
        if (text.Contains("DROP", StringComparison.OrdinalIgnoreCase) || text.Contains("REJECT", StringComparison.OrdinalIgnoreCase)
            || text.Contains("DENY", StringComparison.OrdinalIgnoreCase) || text.Contains("DENIED", StringComparison.OrdinalIgnoreCase)
            || text.Contains("BLOCK", StringComparison.OrdinalIgnoreCase))
            return FirewallDecision.Blocked;
        if (text.Contains("ACCEPT", StringComparison.OrdinalIgnoreCase) || text.Contains("ALLOW", StringComparison.OrdinalIgnoreCase)
            || text.Contains("PERMIT", StringComparison.OrdinalIgnoreCase))
            return FirewallDecision.Allowed;
        return null;
    }
}
