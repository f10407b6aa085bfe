namespace PortAudit.Flows;

/// <summary>
/// Which flows reach a run's consumers (writers, the audit). Asked while a flow is read (from what its packets show:
/// ends, ports, transport, start) and once more when it ends (its application label and state are final then), so a
/// flow whose ends the selection refuses is never handed on, and one that waits on its label is decided at its end.
/// Inspection still sees every flow.
/// </summary>
public interface IFlowSelection
{
    /// <summary>
    /// False when <paramref name="flow"/> is not selected: while it is read (<paramref name="ended"/> false), only when
    /// nothing learnt later could select it. Asked for each packet, so it must be cheap.
    /// </summary>
    bool Selects(Flow flow, bool ended);
}

/// <summary>Hands the consumers only the flows a selection takes: their packets and their end.</summary>
public sealed class SelectedFlowObserver(IFlowSelection selection, IFlowObserver[] consumers) : IFlowObserver
{
    /// <inheritdoc />
    public bool ReadsPackets => consumers.Any(c => c.ReadsPackets);

    /// <inheritdoc />
    public void OnPacket(Flow flow, bool fromClient, bool isFirst, in Decode.DecodedPacket packet, ReadOnlySpan<byte> payload)
    {
        if (!selection.Selects(flow, ended: false)) return;
        foreach (var consumer in consumers) consumer.OnPacket(flow, fromClient, isFirst, packet, payload);
    }

    /// <inheritdoc />
    public void OnInputStart(int input, long ordinalsBefore)
    {
        foreach (var consumer in consumers) consumer.OnInputStart(input, ordinalsBefore);
    }

    /// <inheritdoc />
    public void OnFlowEnd(Flow flow)
    {
        if (!selection.Selects(flow, ended: true)) return;
        foreach (var consumer in consumers) consumer.OnFlowEnd(flow);
    }

    /// <inheritdoc />
    public void OnFlowsEnd(ReadOnlyMemory<Flow> flows)
    {
        // Once, at the end of input: a filtered copy costs less than asking each consumer to filter.
        var selected = new List<Flow>(flows.Length);
        foreach (var flow in flows.Span)
            if (selection.Selects(flow, ended: true)) selected.Add(flow);
        ReadOnlyMemory<Flow> kept = selected.ToArray();
        foreach (var consumer in consumers) consumer.OnFlowsEnd(kept);
    }
}
