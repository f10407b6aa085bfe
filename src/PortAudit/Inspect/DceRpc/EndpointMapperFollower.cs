using PortAudit.Flows;

namespace PortAudit.Inspect.DceRpc;

/// <summary>
/// Reads an endpoint-mapper conversation past its bind: pairs each ept_map/ept_lookup request with its response
/// (by call id over TCP, by the header's opnum over UDP), reads the towers, and turns them into expectations.
/// Bounded in PDUs and in stub bytes.
/// </summary>
public sealed class EndpointMapperFollower : IFlowFollower
{
    private const int MaxPdus = 64;
    private const int MaxStub = 65536;
    private const int RequestOpnumOffset = CoHeader.Size + 6;
    private const int RequestStubOffset = CoHeader.Size + 8;
    private readonly EndpointMapperExpectations _expectations;
    private readonly Dictionary<uint, ushort> _opnums = new();
    private readonly List<EpmTower> _towers = new();
    private byte[]? _stub;
    private int _stubLength;
    private int _pdus;

    private EndpointMapperFollower(EndpointMapperExpectations expectations) => _expectations = expectations;

    /// <summary>A follower for <paramref name="flow"/> when it talks to the endpoint mapper, else null.</summary>
    public static IFlowFollower? For(Flow flow, EndpointMapperExpectations expectations) =>
        flow.App == AppLabel.DceRpc && flow.DceRpc is { IsEndpointMapper: true } ? new EndpointMapperFollower(expectations) : null;

    /// <inheritdoc />
    public bool Finished => _pdus >= MaxPdus;

    /// <inheritdoc />
    public void OnStream(Flow flow, bool fromClient, DirectionStream stream)
    {
        while (!Finished && CoHeader.TryRead(stream.Data, out var header))
        {
            if (header.FragLength > stream.Capacity)
            {
                _pdus = MaxPdus;
                return;
            }
            if (stream.Data.Length < header.FragLength) return;
            _pdus++;
            OnPdu(flow, fromClient, header, stream.Data[..header.FragLength]);
            stream.Consume(header.FragLength);
        }
        // Bytes that are no PDU header mean the stream lost its framing: stop rather than guess.
        if (stream.Data.Length >= CoHeader.Size && !CoHeader.TryRead(stream.Data, out _)) _pdus = MaxPdus;
    }

    /// <inheritdoc />
    public void OnDatagram(Flow flow, bool fromClient, ReadOnlySpan<byte> datagram)
    {
        if (Finished) return;
        _pdus++;
        if (fromClient || !ClHeader.TryRead(datagram, out var header) || header.Type != ClHeader.Response || header.Fragmented) return;
        if (!header.LittleEndian) return;
        Read(flow, datagram.Slice(ClHeader.Size, header.BodyLength), header.Opnum);
    }

    private void OnPdu(Flow flow, bool fromClient, CoHeader header, ReadOnlySpan<byte> pdu)
    {
        if (fromClient && header.Type == CoHeader.Request && pdu.Length >= RequestStubOffset)
        {
            if (_opnums.Count < MaxPdus) _opnums[header.CallId] = CoHeader.Read16(pdu[RequestOpnumOffset..], header.LittleEndian);
            return;
        }
        if (fromClient || header.Type != CoHeader.Response || !header.LittleEndian) return;
        if (!_opnums.TryGetValue(header.CallId, out ushort opnum) || (opnum != EpmResponse.Map && opnum != EpmResponse.Lookup)) return;
        int end = Math.Min(header.StubEnd, pdu.Length);
        if (end <= RequestStubOffset) return;
        var stub = pdu[RequestStubOffset..end];
        if ((header.Flags & CoHeader.FirstFragment) != 0) _stubLength = 0;
        if ((header.Flags & CoHeader.LastFragment) != 0 && _stubLength == 0)
        {
            Read(flow, stub, opnum);
            return;
        }
        Append(stub);
        if ((header.Flags & CoHeader.LastFragment) == 0) return;
        Read(flow, _stub.AsSpan(0, _stubLength), opnum);
        _stubLength = 0;
    }

    private void Append(ReadOnlySpan<byte> part)
    {
        if (_stubLength + part.Length > MaxStub) return;
        _stub ??= new byte[MaxStub];
        part.CopyTo(_stub.AsSpan(_stubLength));
        _stubLength += part.Length;
    }

    private void Read(Flow flow, ReadOnlySpan<byte> stub, ushort opnum)
    {
        if (opnum != EpmResponse.Map && opnum != EpmResponse.Lookup) return;
        _towers.Clear();
        EpmResponse.ReadTowers(stub, opnum, _towers);
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
