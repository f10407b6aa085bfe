using System.Globalization;
using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Flows.Facts;

namespace PortAudit.Sources.Records;

/// <summary>A column of PortAudit's own flow files that conn.log has no name for.</summary>
public enum OwnField
{
    /// <summary>No column of ours (a conn.log column, or one we do not read).</summary>
    None,
    /// <summary>The flow's end, exact where ts + duration may lose the last microsecond.</summary>
    End,
    /// <summary>Our state's name.</summary>
    State,
    /// <summary>Our application label's name.</summary>
    App,
    /// <summary>What inspection saw, as flows.jsonl writes it.</summary>
    AppDetail,
    /// <summary>What a verdict on the flow can rest on.</summary>
    Evidence,
    /// <summary>An ICMP flow's type.</summary>
    IcmpType,
    /// <summary>An ICMP flow's code.</summary>
    IcmpCode,
    /// <summary>The tunnel the flow came in, by its own record's id.</summary>
    Tunnel,
    /// <summary>Whether the capture ended less than 1 s after the flow began, while its run still held it.</summary>
    CutOff,
    /// <summary>What the flow's sides rest on (opening, content, ports).</summary>
    Sides,
    /// <summary>With sides from ports: whether the flow's first packet came from the side taken for the server.</summary>
    FirstFromServer,
    /// <summary>The protocol weaknesses inspection saw, as a number.</summary>
    Weakness,
    /// <summary>Whether another flow announced the flow.</summary>
    Announced,
    /// <summary>The DCE/RPC interface's UUID.</summary>
    RpcInterfaceUuid,
    /// <summary>How the DCE/RPC interface was learned.</summary>
    RpcSource,
    /// <summary>Every DCE/RPC interface the flow bound and the operations called on each (<see cref="RpcCallText"/>).</summary>
    RpcCalls,
    /// <summary>Whether more DCE/RPC interfaces were bound than the call log keeps.</summary>
    RpcMoreBindings,
    /// <summary>Why the flow's DCE/RPC could not be read.</summary>
    RpcUninspectable,
    /// <summary>How many ICMP errors answered the flow.</summary>
    IcmpErrors,
    /// <summary>The first ICMP error that answered the flow, and who sent it.</summary>
    IcmpError,
    /// <summary>The outer ends of the tunnel the flow came in (<see cref="FlowTunnel.FormatOuter"/>).</summary>
    TunnelOuter,
}

/// <summary>
/// What the columns of our own flow files (flows.parquet, and the TSV of <c>flows -f tsv</c>) say that conn.log cannot:
/// one place that applies them to a record built by <see cref="ZeekConnFields"/>, whichever file carried them, so that
/// every file of ours reads back as the flows that were written.
/// </summary>
public static class OwnFlowColumns
{
    /// <summary>The column of flows.parquet named <paramref name="name"/> (<see cref="ParquetFlowColumns"/>, snake_case).</summary>
    public static OwnField OfParquet(ReadOnlySpan<char> name) => name switch
    {
        ParquetFlowColumns.End => OwnField.End,
        ParquetFlowColumns.State => OwnField.State,
        ParquetFlowColumns.App => OwnField.App,
        ParquetFlowColumns.AppDetail => OwnField.AppDetail,
        ParquetFlowColumns.Evidence => OwnField.Evidence,
        ParquetFlowColumns.IcmpType => OwnField.IcmpType,
        ParquetFlowColumns.IcmpCode => OwnField.IcmpCode,
        ParquetFlowColumns.Tunnel => OwnField.Tunnel,
        ParquetFlowColumns.CutOff => OwnField.CutOff,
        ParquetFlowColumns.Sides => OwnField.Sides,
        ParquetFlowColumns.FirstFromServer => OwnField.FirstFromServer,
        ParquetFlowColumns.Weakness => OwnField.Weakness,
        ParquetFlowColumns.Announced => OwnField.Announced,
        ParquetFlowColumns.RpcInterfaceUuid => OwnField.RpcInterfaceUuid,
        ParquetFlowColumns.RpcSource => OwnField.RpcSource,
        ParquetFlowColumns.RpcCalls => OwnField.RpcCalls,
        ParquetFlowColumns.RpcMoreBindings => OwnField.RpcMoreBindings,
        ParquetFlowColumns.RpcUninspectable => OwnField.RpcUninspectable,
        ParquetFlowColumns.IcmpErrors => OwnField.IcmpErrors,
        ParquetFlowColumns.IcmpError => OwnField.IcmpError,
        ParquetFlowColumns.TunnelOuter => OwnField.TunnelOuter,
        _ => OwnField.None,
    };

    /// <summary>
    /// The column of our TSV (<c>flows -f tsv</c>, whose names are flows.jsonl's camelCase ones) named
    /// <paramref name="name"/>: the conn.log column it stands for, or one of our own. Zeek's own names (<c>duration</c>)
    /// are left to <see cref="ZeekConnFields.FieldOf"/>.
    /// </summary>
    public static (ZeekField Zeek, OwnField Own) OfTsv(ReadOnlySpan<char> name) => name switch
    {
        "start" => (ZeekField.Ts, OwnField.None),
        "client" => (ZeekField.OrigHost, OwnField.None),
        "clientPort" => (ZeekField.OrigPort, OwnField.None),
        "server" => (ZeekField.RespHost, OwnField.None),
        "serverPort" => (ZeekField.RespPort, OwnField.None),
        "transport" => (ZeekField.Proto, OwnField.None),
        "packetsToServer" => (ZeekField.OrigPackets, OwnField.None),
        "bytesToServer" => (ZeekField.OrigIpBytes, OwnField.None),
        "packetsToClient" => (ZeekField.RespPackets, OwnField.None),
        "bytesToClient" => (ZeekField.RespIpBytes, OwnField.None),
        // The record's id from the exporter that made it (a Zeek uid): conn.log's uid column is where it is kept.
        "recordId" => (ZeekField.Uid, OwnField.None),
        "end" => (ZeekField.None, OwnField.End),
        "state" => (ZeekField.None, OwnField.State),
        "app" => (ZeekField.None, OwnField.App),
        "appDetail" => (ZeekField.None, OwnField.AppDetail),
        "evidence" => (ZeekField.None, OwnField.Evidence),
        "icmpType" => (ZeekField.None, OwnField.IcmpType),
        "icmpCode" => (ZeekField.None, OwnField.IcmpCode),
        "tunnel" => (ZeekField.None, OwnField.Tunnel),
        "cutOff" => (ZeekField.None, OwnField.CutOff),
        "sides" => (ZeekField.None, OwnField.Sides),
        "firstFromServer" => (ZeekField.None, OwnField.FirstFromServer),
        "weakness" => (ZeekField.None, OwnField.Weakness),
        "announced" => (ZeekField.None, OwnField.Announced),
        "rpcInterfaceUuid" => (ZeekField.None, OwnField.RpcInterfaceUuid),
        "rpcSource" => (ZeekField.None, OwnField.RpcSource),
        "rpcCalls" => (ZeekField.None, OwnField.RpcCalls),
        "rpcMoreBindings" => (ZeekField.None, OwnField.RpcMoreBindings),
        "rpcUninspectable" => (ZeekField.None, OwnField.RpcUninspectable),
        "icmpErrors" => (ZeekField.None, OwnField.IcmpErrors),
        "icmpError" => (ZeekField.None, OwnField.IcmpError),
        "tunnelOuter" => (ZeekField.None, OwnField.TunnelOuter),
        _ => (ZeekField.None, OwnField.None),
    };

    /// <summary>
    /// Hands a conn.log column's value to <paramref name="fields"/>. Our own files name every protocol as IpProtocol does
    /// (igmp, sctp, ah...), conn.log only a few: what the Zeek mapping does not know goes to it as the number, as Zeek's
    /// ip_proto would give it. Returns why the value is bad, or null.
    /// </summary>
    public static string? SetZeek(ZeekConnFields fields, ZeekField field, ReadOnlySpan<char> value)
    {
        if (field == ZeekField.Proto && !RecordFields.TryParseProtocol(value, out _) && IpProtocol.TryParse(value.ToString(), out byte number))
            return fields.Set(ZeekField.IpProto, number.ToString(CultureInfo.InvariantCulture));
        return fields.Set(field, value);
    }

    /// <summary>
    /// Applies our column <paramref name="own"/> (named <paramref name="column"/> in the file, for the problem) to a record
    /// <see cref="ZeekConnFields.Build"/> made: it replaces what the Zeek mapping could only approximate. Returns why the
    /// value is bad, or null. Call <see cref="Finish"/> once all are applied.
    /// </summary>
    public static string? Apply(OwnField own, string column, string value, ref FlowRecord record)
    {
        switch (own)
        {
            case OwnField.End:
                if (!RecordFields.TryParseEpoch(value, out long end)) return $"{column} '{RecordFields.Clip(value)}' is not a time";
                record.EndNs = end;
                return null;
            case OwnField.State:
                if (!FlowStateNames.TryParse(value, out var state)) return $"{column} '{RecordFields.Clip(value)}' is not a flow state";
                record.State = state;
                return null;
            case OwnField.App:
                // No writer of ours leaves a label empty (a flow without one writes the unset mark).
                if (value.Length == 0) return $"{column} '' is not an application label";
                record.App = AppLabel.Of(value);
                return null;
            case OwnField.AppDetail:
                // Text no writer of ours makes (a control character, a length past a detail's) is left out, not rejected:
                // the flow stands without it, as a record from an exporter does.
                record.AppDetail = Flows.Facts.AppDetail.Parse(value);
                return null;
            case OwnField.Evidence:
                if (!FlowEvidenceNames.TryParse(value, out var evidence)) return $"{column} '{RecordFields.Clip(value)}' is not an evidence name";
                record.Evidence = evidence;
                return null;
            case OwnField.IcmpType or OwnField.IcmpCode:
                if (!byte.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out byte number))
                    return $"{column} '{RecordFields.Clip(value)}' is not 0-255";
                if (own == OwnField.IcmpType) record.IcmpType = number;
                else record.IcmpCode = number;
                return null;
            case OwnField.Tunnel:
                record.Tunnel = value;
                return null;
            case OwnField.TunnelOuter:
                if (!FlowTunnel.TryParseOuter(value, out var outer))
                    return $"{column} '{RecordFields.Clip(value)}' is not a tunnel's outer ends (udp 192.0.2.1 49840 192.0.2.2 4789)";
                record.TunnelOuter = outer;
                return null;
            case OwnField.Sides:
                record.SidesFromPorts = FlowSidesNames.Parse(value) == FlowSides.Ports;
                return null;
            case OwnField.FirstFromServer or OwnField.CutOff or OwnField.Announced or OwnField.RpcMoreBindings:
                if (!TryParseFlag(value, out bool flag)) return $"{column} '{RecordFields.Clip(value)}' is not true or false";
                if (own == OwnField.FirstFromServer) record.FirstSentByServer = flag;
                else if (own == OwnField.CutOff) record.CutOff = flag;
                else if (own == OwnField.Announced) record.Announced = flag;
                else if (flag) (record.RpcCalls ??= new RpcCallLog()).MoreBindings = true;
                return null;
            // The call log's three columns, in any order: each completes the log the one before began.
            case OwnField.RpcCalls:
                record.RpcCalls = RpcCallText.Parse(value, record.RpcCalls);
                return null;
            case OwnField.RpcUninspectable:
                (record.RpcCalls ??= new RpcCallLog()).Uninspectable = value;
                return null;
            // The count and the first error are two columns, in either order; Finish drops a count without its error.
            case OwnField.IcmpErrors:
                if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long count))
                    return $"{column} '{RecordFields.Clip(value)}' is not a count";
                record.IcmpErrors = record.IcmpErrors with { Count = count };
                return null;
            case OwnField.IcmpError:
                if (!IcmpErrors.TryParse(Math.Max(1, record.IcmpErrors.Count), value, out var errors))
                    return $"{column} '{RecordFields.Clip(value)}' is not an ICMP error and its sender (port-unreachable from 10.0.0.1)";
                record.IcmpErrors = errors;
                return null;
            case OwnField.Weakness:
                if (!byte.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out byte bits) || (bits & ~(int)KnownWeaknesses) != 0)
                    return $"{column} '{RecordFields.Clip(value)}' is not a set of weaknesses (0-{(int)KnownWeaknesses})";
                record.Weakness = (FlowWeakness)bits;
                return null;
            // The interface and how it was learned are two columns, in either order: the facts are made with the first and
            // completed with the second; Finish drops a source without an interface.
            case OwnField.RpcInterfaceUuid:
                if (!Guid.TryParse(value, out var uuid)) return $"{column} '{RecordFields.Clip(value)}' is not a UUID";
                record.DceRpc = new DceRpcFacts(uuid, null, null, record.DceRpc?.Evidence ?? RpcEvidence.Bind);
                return null;
            case OwnField.RpcSource:
                if (!RpcEvidenceNames.TryParse(value, out var learned)) return $"{column} '{RecordFields.Clip(value)}' is not epm or bind";
                record.DceRpc = new DceRpcFacts(record.DceRpc?.Uuid ?? Guid.Empty, null, null, learned);
                return null;
            default:
                return null;
        }
    }

    /// <summary>
    /// What follows our columns on a record: an end column may name a time before the start (conn.log's duration cannot),
    /// and sides the writing run guessed from its ports (flows knows only the well-known ones) are this run's to guess
    /// with its own (an audit's catalog), as the store's reader takes them again.
    /// </summary>
    public static void Finish(ref FlowRecord record, RecordStatistics statistics, IServerPortHint serverPorts)
    {
        record.EndNs = statistics.EndNotBefore(record.StartNs, record.EndNs);
        if (record.DceRpc is { Uuid: var uuid } && uuid == Guid.Empty) record.DceRpc = null;
        if (record.IcmpErrors is { Count: > 0, IcmpProtocol: 0 } or { Count: 0, IcmpProtocol: not 0 }) record.IcmpErrors = default;
        if (record.SidesFromPorts) record.TakeSidesAgain(serverPorts);
        // Outer ends name a tunnel only beside its id: alone they are no tunnel the flow came in.
        if (record.Tunnel is null) record.TunnelOuter = null;
    }

    // Every weakness a writer of ours can set: other bits are no file of ours.
    private const FlowWeakness KnownWeaknesses = FlowWeakness.Smb1 | FlowWeakness.LdapCleartextBind | FlowWeakness.NtlmV1
                                                 | FlowWeakness.TcpOverlap | FlowWeakness.TcpUrgent | FlowWeakness.TlsDeprecated
                                                 | FlowWeakness.TlsWeakCipher | FlowWeakness.TlsWeakCertificate;

    // Parquet's booleans read as true/false, Zeek's TSV bool is T/F.
    private static bool TryParseFlag(ReadOnlySpan<char> value, out bool flag)
    {
        flag = value is "T" || value.Equals("true", StringComparison.OrdinalIgnoreCase);
        return flag || value is "F" || value.Equals("false", StringComparison.OrdinalIgnoreCase);
    }
}
