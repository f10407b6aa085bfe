namespace PortAudit.Flows;

/// <summary>
/// Which flows reach a run's consumers (writers, the audit): decided from what a flow's first packet shows (its ends,
/// ports, transport and start), so a flow is in or out for its whole life. Inspection still sees every flow.
/// </summary>
public interface IFlowSelection
{
    /// <summary>True when <paramref name="flow"/> is selected; asked again for each packet, so it must be cheap.</summary>
    bool Selects(Flow flow);
}

/// <summary>Hands the consumers only the flows a selection takes: their packets and their end.</summary>
public sealed class SelectedFlowObserver(IFlowSelection selection, IFlowObserver[] consumers) : IFlowObserver
{
    /// <inheritdoc />
    public bool ReadsPackets => consumers.Any(c => c.ReadsPackets);

    /// <inheritdoc />
    public void OnPacket(Flow flow, bool fromClient, bool isFirst, in Decode.DecodedPacket packet, ReadOnlySpan<byte> payload)
    {
        if (!selection.Selects(flow)) return;
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
        if (!selection.Selects(flow)) return;
        foreach (var consumer in consumers) consumer.OnFlowEnd(flow);
    }

    /// <inheritdoc />
    public void OnFlowsEnd(ReadOnlyMemory<Flow> flows)
    {
        // Once, at the end of input: a filtered copy costs less than asking each consumer to filter.
        var selected = new List<Flow>(flows.Length);
        foreach (var flow in flows.Span)
            if (selection.Selects(flow)) selected.Add(flow);
        ReadOnlyMemory<Flow> kept = selected.ToArray();
        foreach (var consumer in consumers) consumer.OnFlowsEnd(kept);
    }
}
