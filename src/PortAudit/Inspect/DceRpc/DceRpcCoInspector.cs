using System.Runtime.CompilerServices;

namespace PortAudit.Inspect.DceRpc;

/// <summary>
/// Connection-oriented DCE/RPC (ncacn_ip_tcp): a valid PDU header claims the flow; a bind or alter-context
/// names the interface from its first presentation context.
/// </summary>
public sealed class DceRpcCoInspector() : Inspector(new(AppLabel.DceRpc, Tcp, [135, 593], InspectorPrecision.Signature, 10))
{
    // max_xmit_frag, max_recv_frag, assoc_group_id, n_context_elem and padding precede the first context.
    private const int ContextListOffset = CoHeader.Size + 8;
    private const int FirstAbstractSyntax = ContextListOffset + 4 + 4;

    /// <inheritdoc />
    public override bool HintsPort(byte protocol, ushort port) => base.HintsPort(protocol, port) || (protocol == Tcp && port >= 49152);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override InspectResult Inspect(ref InspectionInput input)
    {
        if (!input.IsTcp) return InspectResult.NoMatch;
        var data = input.Data;
        if (data.Length < CoHeader.Size) return data.Length > 0 && data[0] == 5 && !input.AtLimit ? InspectResult.NeedMore : InspectResult.NoMatch;
        if (!CoHeader.TryRead(data, out var header)) return InspectResult.NoMatch;
        if (header.Type != CoHeader.Bind && header.Type != CoHeader.AlterContext)
        {
            input.Flow.AppDetail ??= AppDetail.Word(PduName(header.Type));
            return InspectResult.Match;
        }
        if (data.Length < FirstAbstractSyntax + 20)
            return input.AtLimit ? InspectResult.Match : InspectResult.NeedMore;
        if (data[ContextListOffset] == 0 || header.FragLength < FirstAbstractSyntax + 20) return InspectResult.NoMatch;
        var syntax = data[FirstAbstractSyntax..];
        var uuid = CoHeader.ReadUuid(syntax, header.LittleEndian);
        // The abstract syntax is the UUID and its version, major then minor.
        ushort major = CoHeader.Read16(syntax[16..], header.LittleEndian), minor = CoHeader.Read16(syntax[18..], header.LittleEndian);
        DceRpcLabels.Apply(input.Flow, new DceRpcFacts(uuid, major, minor, RpcEvidence.Bind));
        input.Flow.AppDetail = AppDetail.Word(PduName(header.Type));
        return InspectResult.Match;
    }

    private static string PduName(byte type) => type switch
    {
        0 => "request",
        2 => "response",
        3 => "fault",
        11 => "bind",
        12 => "bind_ack",
        13 => "bind_nak",
        14 => "alter_context",
        15 => "alter_context_resp",
        16 => "auth3",
        17 => "shutdown",
        18 => "cancel",
        19 => "orphaned",
        _ => "pdu",
    };
}
