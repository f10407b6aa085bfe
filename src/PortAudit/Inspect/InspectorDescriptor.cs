using System.Buffers;
using PortAudit.Common;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect;

/// <summary>
/// How sure a match of an inspector is, coarsest distinction first in the asking order: a weak guess must never take a
/// flow that a precise reading could have named.
/// </summary>
public enum InspectorPrecision
{
    /// <summary>Binary framing whose fields must agree with each other and with the bytes (DCE/RPC, TLS, SMB, Kerberos...).</summary>
    Signature,

    /// <summary>A text protocol's start line or greeting (SIP, HTTP, SMTP...).</summary>
    StartLine,

    /// <summary>A short binary header with few fixed values, which other traffic can resemble (DNS, STUN, NTP...).</summary>
    Loose,

    /// <summary>A statistical guess over several packets (RTP, RTCP): asked last.</summary>
    Heuristic,
}

/// <summary>How far into a flow an inspector reads.</summary>
public enum ProbeDepth
{
    /// <summary>The first message of a direction decides.</summary>
    FirstMessage,

    /// <summary>The first message claims the flow; later ones of the exchange complete the detail (a ServerHello, a STARTTLS).</summary>
    Exchange,

    /// <summary>One message proves too little: the inspector waits for more before it decides.</summary>
    SeveralMessages,
}

/// <summary>
/// What an inspector declares about itself, so that the registry (<see cref="Inspectors"/>) orders the inspectors and
/// knows every label they can produce without a hand-kept list.
/// </summary>
/// <param name="Label">The label written to <c>Flow.App</c> on a match.</param>
/// <param name="Transport">The IP protocol the inspector reads (TCP or UDP), or 0 for both.</param>
/// <param name="PortHints">Ports where the protocol usually listens: inspectors hinted by a flow's ports are asked first.</param>
/// <param name="Precision">How sure a match is: the first key of the asking order.</param>
/// <param name="Order">The place among inspectors of the same precision, lowest first.</param>
public sealed record InspectorDescriptor(AppLabel Label, byte Transport, IReadOnlyList<ushort> PortHints, InspectorPrecision Precision, int Order)
{
    private readonly IReadOnlyList<AppLabel>? _produces;

    /// <summary>How far into a flow the inspector reads.</summary>
    public ProbeDepth Depth { get; init; } = ProbeDepth.FirstMessage;

    /// <summary>
    /// True when the inspector keeps a word per flow between its calls (<see cref="InspectionInput.Scratch"/>). Only
    /// those get one: a flow that inspection still reads holds the words of these inspectors, not of every one.
    /// </summary>
    public bool UsesScratch { get; init; }

    /// <summary>
    /// True when the inspector is asked once more when a datagram flow it claimed ends undecided: no bytes, at the limit
    /// (<see cref="InspectionInput.AtLimit"/>), as a TCP flow's inspectors are shown its held streams then. The DTLS
    /// readers need it: a server's certificate begun in the last datagram and not finished is said unread
    /// (<c>cert=unread</c>), not left as though none had come.
    /// </summary>
    public bool LooksAtEnd { get; init; }

    /// <summary>
    /// The first bytes of a message the inspector can take, or null for any: shown bytes that start with another, the
    /// inspector turns down (<see cref="InspectResult.NoMatch"/>) and leaves its scratch word as it was, whatever else it
    /// is shown (direction, transport, index, limit, the word's value). The engine then turns them down for it unasked.
    /// </summary>
    public SearchValues<byte>? FirstBytes { get; init; }

    /// <summary>Every label the inspector may write: <see cref="Label"/>, and others it chooses by what it reads (cldap for LDAP over UDP).</summary>
    public IReadOnlyList<AppLabel> Produces
    {
        get => _produces ?? [Label];
        init => _produces = value;
    }

    /// <summary>True when <paramref name="port"/> on <paramref name="protocol"/> is among the declared hints.</summary>
    public bool HintsPort(byte protocol, ushort port)
    {
        if (Transport != 0 && protocol != Transport) return false;
        // By index: a foreach over the interface would allocate an enumerator per inspector for every new port seen.
        for (int i = 0; i < PortHints.Count; i++)
            if (PortHints[i] == port) return true;
        return false;
    }
}
