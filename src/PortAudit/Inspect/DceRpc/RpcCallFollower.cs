using PortAudit.Flows;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.DceRpc;

/// <summary>
/// Reads a DCE/RPC flow past its recognition for every interface it binds and every operation it calls, for the flow's
/// whole life: the client's PDUs over TCP (ncacn_ip_tcp, the endpoint mapper's own flows excepted:
/// <see cref="EndpointMapperFollower"/> records them), the server's answers to its binds, and the request headers of a
/// connectionless flow. The stubs of requests and responses are passed unread (<see cref="DirectionStream.Skip"/>): the
/// cost of a segment does not grow with the data it carries, and no count of PDUs or bytes lets a call slip by unread. Bytes that
/// are no PDU, or a hole in the client's stream, end the reading and mark what the flow bound as having calls unseen
/// (<see cref="RpcCallLog.LoseCalls"/>).
/// </summary>
public sealed class RpcCallFollower : IFlowFollower
{
    private readonly RpcAssociation _association = new();
    private bool _stopped, _answersLost;

    private RpcCallFollower()
    {
    }

    /// <summary>A follower for <paramref name="flow"/> when it is DCE/RPC, else null.</summary>
    public static IFlowFollower? For(Flow flow) => flow.App == AppLabel.DceRpc ? new RpcCallFollower() : null;

    /// <inheritdoc />
    public bool Finished => _stopped;

    /// <inheritdoc />
    public void OnStream(Flow flow, bool fromClient, DirectionStream stream)
    {
        if (!fromClient)
        {
            // The server's answers to binds say which contexts it took; once its bytes are no PDU, they are dropped, those
            // to come uncopied, and the offers after are taken as bound.
            if (_answersLost || !_association.TakeAnswersFrom(flow, stream))
            {
                _answersLost = true;
                stream.Skip(long.MaxValue);
            }
            return;
        }
        if (!_association.TakeFrom(flow, stream)) Lose(flow, "bytes that are no DCE/RPC PDU");
    }

    /// <inheritdoc />
    public void OnBroken(Flow flow, bool fromClient, string why)
    {
        if (fromClient) Lose(flow, why);
    }

    /// <inheritdoc />
    public void OnDatagram(Flow flow, bool fromClient, ReadOnlySpan<byte> datagram)
    {
        if (fromClient) RpcAssociation.ReadConnectionless(flow, datagram);
    }

    private void Lose(Flow flow, string why)
    {
        RpcAssociation.Log(flow).LoseCalls(why);
        _stopped = true;
    }
}
