using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.DceRpc;

/// <summary>
/// Connection-oriented DCE/RPC (ncacn_ip_tcp): a valid PDU header claims the flow, whichever PDU comes first, so that
/// a flow captured midstream is recognised from a bind_ack, an alter_context or a request or response as well. The PDU
/// type tells which side sent it, which sets client and server when the opening was not seen. A bind or alter-context
/// names the interface from its first presentation context; while no interface is known the following PDUs of the
/// direction are read for one, up to the inspection limits.
/// </summary>
public sealed class DceRpcCoInspector() : Inspector(new(AppLabel.DceRpc, Tcp, [135, 593], InspectorPrecision.Signature, 10)
{
    // rpc_vers: 5 for a connection-oriented PDU, the only value CoHeader reads and a short stream is waited for on.
    FirstBytes = Leading(5),
})
{
    // max_xmit_frag, max_recv_frag, assoc_group_id, n_context_elem and padding precede the first context.
    private const int ContextListOffset = CoHeader.Size + 8;
    private const int FirstAbstractSyntax = ContextListOffset + 4 + 4;

    /// <inheritdoc />
    public override bool HintsPort(byte protocol, ushort port) => base.HintsPort(protocol, port) || (protocol == Tcp && port >= 49152);

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        if (!input.IsTcp) return InspectResult.NoMatch;
        var data = input.Data;
        if (data.Length < CoHeader.Size) return data.Length > 0 && data[0] == 5 && !input.AtLimit ? InspectResult.NeedMore : InspectResult.NoMatch;
        if (!CoHeader.TryRead(data, out var first)) return InspectResult.NoMatch;
        bool bind = first.Type is CoHeader.Bind or CoHeader.AlterContext;
        if (bind && data.Length < FirstAbstractSyntax + 20 && !input.AtLimit) return InspectResult.NeedMore;
        if (bind && data.Length >= FirstAbstractSyntax + 20 && (data[ContextListOffset] == 0 || first.FragLength < FirstAbstractSyntax + 20))
            return InspectResult.NoMatch;
        input.SentByClient = SentByClient(first.Type);
        input.Flow.AppDetail ??= AppDetail.Word(PduName(first.Type));
        // Walk the direction's PDUs for the first that names the interface.
        for (int at = 0; at + CoHeader.Size <= data.Length && CoHeader.TryRead(data[at..], out var header); at += header.FragLength)
        {
            if (header.Type is not (CoHeader.Bind or CoHeader.AlterContext)) continue;
            if (at + FirstAbstractSyntax + 20 > data.Length || header.FragLength < FirstAbstractSyntax + 20) break;
            var syntax = data[(at + FirstAbstractSyntax)..];
            var uuid = CoHeader.ReadUuid(syntax, header.LittleEndian);
            // The abstract syntax is the UUID and its version, major then minor.
            ushort major = CoHeader.Read16(syntax[16..], header.LittleEndian), minor = CoHeader.Read16(syntax[18..], header.LittleEndian);
            DceRpcLabels.Apply(input.Flow, new DceRpcFacts(uuid, major, minor, RpcEvidence.Bind));
            input.Flow.AppDetail = AppDetail.Word(PduName(first.Type));
            return InspectResult.Match;
        }
        // A server's direction never names the interface; a client's may, in a later alter_context.
        bool clientSide = input.SentByClient ?? input.FromClient;
        return input.Flow.DceRpc is null && clientSide && !input.AtLimit ? InspectResult.Partial : InspectResult.Match;
    }

    private static bool? SentByClient(byte type) => type switch
    {
        CoHeader.Request or CoHeader.Bind or CoHeader.AlterContext or 16 or 18 or 19 => true,
        CoHeader.Response or 3 or CoHeader.BindAck or 13 or CoHeader.AlterContextResponse => false,
        _ => null,
    };

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
