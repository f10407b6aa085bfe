using PortAudit.Flows;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.DceRpc;

/// <summary>
/// Reads a DCE/RPC flow past its recognition for every interface it binds and every operation it calls: the client's
/// PDUs over TCP (ncacn_ip_tcp, the endpoint mapper's own flows excepted: <see cref="EndpointMapperFollower"/> records
/// them) and the request headers of a connectionless flow. The server's bytes are dropped unread. Bounded in PDUs
/// (<see cref="MaxPdus"/>) and client bytes (<see cref="MaxBytes"/>).
/// </summary>
public sealed class RpcCallFollower : IFlowFollower
{
    /// <summary>Client PDUs (or datagrams) read per flow; past it the flow is let go.</summary>
    public const int MaxPdus = 1024;

    /// <summary>Client bytes read per flow; past it the flow is let go.</summary>
    public const int MaxBytes = 1 << 20;

    private readonly RpcAssociation _association = new();
    private int _pdus;
    private long _bytes;
    private bool _stopped;

    private RpcCallFollower()
    {
    }

    /// <summary>A follower for <paramref name="flow"/> when it is DCE/RPC, else null.</summary>
    public static IFlowFollower? For(Flow flow) => flow.App == AppLabel.DceRpc ? new RpcCallFollower() : null;

    /// <inheritdoc />
    public bool Finished => _stopped || _pdus >= MaxPdus || _bytes >= MaxBytes;

    /// <inheritdoc />
    public void OnStream(Flow flow, bool fromClient, DirectionStream stream)
    {
        if (!fromClient)
        {
            // Responses name neither interface nor operation: their bytes need not wait.
            stream.Consume(stream.Data.Length);
            return;
        }
        while (!Finished && CoHeader.TryRead(stream.Data, out var header))
        {
            if (header.FragLength > stream.Capacity)
            {
                _stopped = true;
                return;
            }
            if (stream.Data.Length < header.FragLength) return;
            _pdus++;
            _bytes += header.FragLength;
            _association.Read(flow, header, stream.Data[..header.FragLength]);
            stream.Consume(header.FragLength);
        }
        // Bytes that are no PDU header mean the stream lost its framing: stop rather than guess.
        if (stream.Data.Length >= CoHeader.Size && !CoHeader.TryRead(stream.Data, out _)) _stopped = true;
    }

    /// <inheritdoc />
    public void OnDatagram(Flow flow, bool fromClient, ReadOnlySpan<byte> datagram)
    {
        if (Finished) return;
        _pdus++;
        _bytes += datagram.Length;
        RpcAssociation.ReadConnectionless(flow, datagram);
    }
}
