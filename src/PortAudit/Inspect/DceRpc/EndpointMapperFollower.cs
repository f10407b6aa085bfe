using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.DceRpc;

/// <summary>
/// Reads an endpoint-mapper conversation past its bind: learns from bind and bind_ack (or alter_context and its
/// response) which presentation contexts speak NDR64, pairs each ept_map/ept_lookup request with its response (by call
/// id over TCP, by the header's opnum over UDP), reassembles fragmented answers, reads the towers, and turns them into
/// expectations. The client's binds and requests also go to an <see cref="RpcAssociation"/>, which records what the
/// conversation bound and called (DCOM activation binds ISystemActivator on 135). Bounded in PDUs
/// (<see cref="MaxPdus"/>: past it the answers are no longer read, while the client's calls still are, as
/// <see cref="RpcCallFollower"/> reads them, for the flow's whole life) and in reassembled stub bytes (<see cref="MaxStub"/>).
/// </summary>
public sealed class EndpointMapperFollower : IFlowFollower
{
    /// <summary>PDUs read per mapper conversation, requests and responses together; past it the flow is let go.</summary>
    public const int MaxPdus = 256;

    /// <summary>
    /// Most stub bytes of one fragmented answer: 500 ept_lookup entries (the reader's cap) with full annotations and
    /// five-floor towers take about 100 KB in NDR64.
    /// </summary>
    public const int MaxStub = 128 * 1024;

    // The ncacn_http server opens its side with this text before the first PDU ([MS-RPCH] 2.1.2.1.1, RPC over HTTP v1 on 593).
    private static ReadOnlySpan<byte> HttpGreeting => "ncacn_http/1.0"u8;
    private readonly EndpointMapperExpectations _expectations;
    private readonly Dictionary<uint, ushort> _opnums = new();
    private readonly List<EpmTower> _towers = new();
    private readonly PresentationContexts _contexts = new();
    private readonly RpcAssociation _association = new();
    private byte[]? _stub;
    private int _stubLength;
    private bool _stubOverflow;
    private int _pdus;
    private bool _stopped;

    private EndpointMapperFollower(EndpointMapperExpectations expectations) => _expectations = expectations;

    /// <summary>A follower for <paramref name="flow"/> when it talks to the endpoint mapper, else null.</summary>
    public static IFlowFollower? For(Flow flow, EndpointMapperExpectations expectations) =>
        flow.App == AppLabel.DceRpc && flow.DceRpc is { IsEndpointMapper: true } ? new EndpointMapperFollower(expectations) : null;

    /// <inheritdoc />
    public bool Finished => _stopped;

    /// <inheritdoc />
    public void OnStream(Flow flow, bool fromClient, DirectionStream stream)
    {
        if (!fromClient && stream.Data.StartsWith(HttpGreeting)) stream.Consume(HttpGreeting.Length);
        while (_pdus < MaxPdus && CoHeader.TryRead(stream.Data, out var header))
        {
            if (stream.Data.Length < header.FragLength) return;
            _pdus++;
            OnPdu(flow, fromClient, header, stream.Data[..header.FragLength]);
            stream.Consume(header.FragLength);
        }
        if (_pdus >= MaxPdus)
        {
            // Past the budget for answers the client's calls are still read, PDU by PDU, for the flow's whole life.
            if (!fromClient)
            {
                stream.Skip(long.MaxValue);
                return;
            }
            if (!_association.TakeFrom(flow, stream)) Lose(flow, "bytes that are no DCE/RPC PDU");
            return;
        }
        // Bytes that are no PDU header mean the stream lost its framing: stop rather than guess.
        if (stream.Data.Length >= CoHeader.Size && !CoHeader.TryRead(stream.Data, out _))
        {
            if (fromClient) Lose(flow, "bytes that are no DCE/RPC PDU");
            _stopped = true;
        }
    }

    /// <inheritdoc />
    public void OnBroken(Flow flow, bool fromClient, string why)
    {
        if (fromClient) Lose(flow, why);
    }

    private void Lose(Flow flow, string why)
    {
        RpcAssociation.Log(flow).LoseCalls(why);
        _stopped = true;
    }

    /// <inheritdoc />
    public void OnDatagram(Flow flow, bool fromClient, ReadOnlySpan<byte> datagram)
    {
        if (fromClient) RpcAssociation.ReadConnectionless(flow, datagram);
        if (_pdus >= MaxPdus) return;
        _pdus++;
        if (fromClient || !ClHeader.TryRead(datagram, out var header) || header.Type != ClHeader.Response || header.Fragmented) return;
        if (!header.LittleEndian) return;
        // Connectionless RPC knows no NDR64 ([MS-RPCE] 3.1.1.5.3.1).
        Read(flow, datagram.Slice(ClHeader.Size, header.BodyLength), header.Opnum, ndr64: false);
    }

    private void OnPdu(Flow flow, bool fromClient, CoHeader header, ReadOnlySpan<byte> pdu)
    {
        if (fromClient) _association.Read(flow, header, pdu);
        else _association.ReadAnswer(flow, header, pdu);
        switch (header.Type)
        {
            case CoHeader.Bind or CoHeader.AlterContext when fromClient:
                _contexts.Offer(pdu, header.LittleEndian);
                return;
            case CoHeader.BindAck or CoHeader.AlterContextResponse when !fromClient:
                _contexts.Accept(pdu, header.LittleEndian);
                return;
            case CoHeader.Request when fromClient && pdu.Length >= CoHeader.StubOffset:
                if (_opnums.Count < MaxPdus) _opnums[header.CallId] = CoHeader.Read16(pdu[CoHeader.RequestOpnumOffset..], header.LittleEndian);
                return;
            case CoHeader.Response when !fromClient && header.LittleEndian && pdu.Length >= CoHeader.StubOffset:
                OnResponse(flow, header, pdu);
                return;
        }
    }

    private void OnResponse(Flow flow, CoHeader header, ReadOnlySpan<byte> pdu)
    {
        if (!_opnums.TryGetValue(header.CallId, out ushort opnum) || (opnum != EpmResponse.Map && opnum != EpmResponse.Lookup)) return;
        bool ndr64 = _contexts.IsNdr64(CoHeader.Read16(pdu[CoHeader.RequestContextOffset..], true));
        int end = Math.Min(header.StubEnd, pdu.Length);
        if (end <= CoHeader.StubOffset) return;
        var stub = pdu[CoHeader.StubOffset..end];
        bool first = (header.Flags & CoHeader.FirstFragment) != 0, last = (header.Flags & CoHeader.LastFragment) != 0;
        if (first)
        {
            _stubLength = 0;
            _stubOverflow = false;
        }
        if (first && last)
        {
            Read(flow, stub, opnum, ndr64);
            return;
        }
        Append(stub);
        if (!last) return;
        if (!_stubOverflow) Read(flow, _stub.AsSpan(0, _stubLength), opnum, ndr64);
        _stubLength = 0;
    }

    private void Append(ReadOnlySpan<byte> part)
    {
        if (_stubOverflow || _stubLength + part.Length > MaxStub)
        {
            // A cut answer would end in a half tower: read none of it rather than a prefix that looks complete.
            _stubOverflow = true;
            return;
        }
        if (_stub is null || _stub.Length < _stubLength + part.Length)
            Array.Resize(ref _stub, Math.Min(MaxStub, Math.Max(_stubLength + part.Length, Math.Max(8192, (_stub?.Length ?? 0) * 2))));
        part.CopyTo(_stub.AsSpan(_stubLength));
        _stubLength += part.Length;
    }

    private void Read(Flow flow, ReadOnlySpan<byte> stub, ushort opnum, bool ndr64)
    {
        if (opnum != EpmResponse.Map && opnum != EpmResponse.Lookup) return;
        _towers.Clear();
        EpmResponse.ReadTowers(stub, opnum, _towers, ndr64);
        foreach (var tower in _towers)
        {
            _expectations.Add(new RpcMapping
            {
                TimeNs = flow.EndNs,
                Mapper = flow.Server,
                MapperPort = flow.ServerPort,
                Client = flow.Client,
                InterfaceUuid = tower.Interface,
                MajorVersion = tower.MajorVersion,
                Transport = tower.Transport,
                Address = tower.HasAddress ? tower.Address : flow.Server,
                Port = tower.Port,
            });
        }
    }
}
