using System.Collections.Concurrent;
using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;

namespace PortAudit.Audit.Anomaly;

/// <summary>
/// Keeps the <see cref="Rhythm"/> of every flow while it lasts, only when anomaly models are in use (learn, or
/// <c>audit --model</c>): it reads every packet, which an audit without models does not pay for. The audit takes each
/// flow's rhythm when it judges the flow (<see cref="Take"/>).
/// </summary>
public sealed class FlowRhythm : IFlowObserver
{
    private const int DnsPort = 53;

    // Taken from the writing thread at the end of input (TrainingSet is a flow sink) while nothing adds any more.
    private readonly ConcurrentDictionary<long, Rhythm> _byFlow = new();

    /// <inheritdoc />
    public void OnPacket(Flow flow, bool fromClient, bool isFirst, in DecodedPacket packet, ReadOnlySpan<byte> payload)
    {
        if (packet.PayloadLength <= 0) return;
        // The packet was counted already: the flow's end is its time.
        var rhythm = _byFlow.GetOrAdd(flow.Id, static _ => new Rhythm());
        rhythm.Add(flow.EndNs, packet.PayloadLength);
        if (fromClient && flow.ServerPort == DnsPort && flow.Protocol == IpProtocol.Udp && DnsQuestion.TryMeasure(payload, out int length, out double entropy))
            rhythm.AddQuery(length, entropy);
    }

    /// <inheritdoc />
    public void OnFlowEnd(Flow flow) { }

    /// <summary>The rhythm of <paramref name="flow"/>, forgotten here; null when it carried no data packet.</summary>
    public Rhythm? Take(Flow flow) => _byFlow.TryRemove(flow.Id, out var rhythm) ? rhythm : null;
}
