using PortAudit.Audit;
using PortAudit.Flows;

namespace PortAudit.Report.Records;

/// <summary>
/// flows.jsonl of an audit: every flow record with the fields of <see cref="FlowFields"/>, then the audit's
/// own (<see cref="Names"/>).
/// </summary>
public sealed class AuditedFlowWriter : IAuditedFlowSink, IDisposable
{
    /// <summary>Audit fields in output order, after the flow fields.</summary>
    public static readonly string[] Names = ["verdict", "rule", "clientHost", "serverHost", "clientRoles", "serverRoles", "policy", "note"];

    private readonly JsonLinesFlowWriter _writer;
    // The audit fields of the flows given to WriteAll, reused from batch to batch.
    private AuditFields[] _fields = [];

    /// <summary>Creates the writer over <paramref name="output"/>, which it then owns.</summary>
    public AuditedFlowWriter(Stream output) => _writer = new JsonLinesFlowWriter(output, Names);

    /// <inheritdoc />
    public void Write(Flow flow, FlowVerdict verdict) => _writer.Write(flow, new AuditFields(verdict));

    /// <inheritdoc />
    public void WriteAll(ReadOnlySpan<Flow> flows, ReadOnlySpan<FlowVerdict> verdicts)
    {
        if (_fields.Length < verdicts.Length) _fields = new AuditFields[verdicts.Length];
        for (int i = 0; i < verdicts.Length; i++) _fields[i] = new AuditFields(verdicts[i]);
        _writer.WriteAll(flows, _fields.AsSpan(0, verdicts.Length));
    }

    /// <summary>Flushes.</summary>
    public void Complete() => _writer.Complete();

    /// <inheritdoc />
    public void Dispose() => _writer.Dispose();

    /// <summary>The note of an allowed flow its role pair's model found anomalous (audit --model).</summary>
    public const string AnomalousNote = "anomalous: departs from its role pair's model";
}

/// <summary>The audit's fields of a flow record (<see cref="AuditedFlowWriter.Names"/>), for every format that writes them.</summary>
internal readonly struct AuditFields(FlowVerdict verdict) : IFlowFieldSource
{
    public void Write<TSink>(TSink sink, int firstField) where TSink : IFlowFieldSink
    {
        sink.Text(firstField, verdict.Verdict.Name());
        FlowFields.Optional(sink, firstField + 1, verdict.Rule?.Id);
        FlowFields.Optional(sink, firstField + 2, verdict.Client.Name);
        // A subnet broadcast's label, "(broadcast:SEGMENT ADDRESS)": its roles are those of the hosts it reaches, not one host's.
        FlowFields.Optional(sink, firstField + 3, verdict.Server.Name);
        sink.TextList(firstField + 4, verdict.Client.RoleIds);
        sink.TextList(firstField + 5, verdict.Server.RoleIds);
        // Each firewall's verdict and deciding rule ("fe01: blocked by inet fw input#4"); null without --firewall.
        if (verdict.Policy.Count == 0) sink.Null(firstField + 6);
        else sink.TextList(firstField + 6, verdict.Policy.Select(p => p.ToString()).ToList());
        // What an allowed verdict rests on when it is less than it looks ("RPC uninspectable (smb3 encrypted): allowed
        // by port only"), and whether its role pair's model found it anomalous; null otherwise, so that every allowed
        // flow does not repeat a reason.
        FlowFields.Optional(sink, firstField + 7, verdict.Verdict is Verdict.Expected or Verdict.ExpectedDynamicRpc ? Note(verdict) : null);
    }

    private static string? Note(FlowVerdict verdict) =>
        !verdict.Anomalous ? verdict.Reason
        : verdict.Reason is null ? AuditedFlowWriter.AnomalousNote
        : $"{AuditedFlowWriter.AnomalousNote}; {verdict.Reason}";
}
