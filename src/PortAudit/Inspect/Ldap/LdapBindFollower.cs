using PortAudit.Common;
using PortAudit.Flows;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Ldap;

/// <summary>
/// Reads an LDAP connection's client messages, from its first, for a simple bind that sends a password in clear
/// (<see cref="FlowWeakness.LdapCleartextBind"/>): the bind may come in several segments, or after a root DSE search
/// and its answer, or after an anonymous bind. A message that is no bind is passed unread
/// (<see cref="DirectionStream.Skip"/>), and so are the server's answers. The reading ends at a bind with a password,
/// at a SASL bind (what follows may be wrapped by its security layer), at bytes that are no LDAPMessage (the TLS
/// handshake after StartTLS; a StartTLS the server refused leaves the client's next bind in clear, and it is read), at
/// a hole in the client's stream, or after <see cref="MaxMessages"/> messages.
/// </summary>
public sealed class LdapBindFollower : IFlowFollower
{
    /// <summary>
    /// Client messages read before the flow is let go. A client binds when it opens the connection: what may come first
    /// is a root DSE read, a StartTLS, an anonymous bind (RFC 4513 5.1), a few messages. The bound is on how long the
    /// flow's inspection state is held, not on cost: each message costs the reading of its head, its body passes
    /// uncopied. A bind later in a long session (a pool binding again to check a user's password) is not read.
    /// </summary>
    public const int MaxMessages = 32;

    private int _messages;
    private bool _done;

    private LdapBindFollower()
    {
    }

    /// <summary>A follower for <paramref name="flow"/> when it is LDAP over TCP, else null.</summary>
    public static IFlowFollower? For(Flow flow) =>
        flow.App == AppLabel.Ldap && flow.Protocol == IpProtocol.Tcp ? new LdapBindFollower() : null;

    /// <inheritdoc />
    public bool Finished => _done;

    /// <inheritdoc />
    public void OnStream(Flow flow, bool fromClient, DirectionStream stream)
    {
        if (!fromClient)
        {
            // The server's answers say nothing of what the client sent: dropped, those to come uncopied.
            stream.Skip(long.MaxValue);
            return;
        }
        while (!_done)
        {
            var data = stream.Data;
            var head = LdapMessage.ReadHead(data, out var message);
            if (head == InspectResult.NeedMore) return;
            if (head == InspectResult.NoMatch)
            {
                _done = true;
                return;
            }
            bool whole = data.Length >= message.Size;
            if (message.Operation == LdapMessage.BindRequest && !ReadOn(flow, data[message.OperationAt..(whole ? message.Size : data.Length)], whole))
                return;
            stream.Skip(message.Size);
            if (++_messages >= MaxMessages) _done = true;
        }
    }

    /// <inheritdoc />
    public void OnDatagram(Flow flow, bool fromClient, ReadOnlySpan<byte> datagram) { }

    /// <inheritdoc />
    public void OnBroken(Flow flow, bool fromClient, string why)
    {
        if (fromClient) _done = true;
    }

    // A bindRequest: false to stop here (a password bind, noted; a SASL or unreadable bind; the rest of the bind still to
    // come), true to read on past it (an anonymous or unauthenticated bind: an empty password, RFC 4513 5.1.1 and 5.1.2).
    private bool ReadOn(Flow flow, ReadOnlySpan<byte> bind, bool whole)
    {
        var result = LdapMessage.ReadBind(bind, out byte authentication, out int passwordLength);
        if (result == InspectResult.NeedMore && !whole) return false;
        if (result == InspectResult.Match && authentication == LdapMessage.Simple)
        {
            if (passwordLength == 0) return true;
            flow.Weakness |= FlowWeakness.LdapCleartextBind;
        }
        _done = true;
        return false;
    }
}
