using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// Telnet (RFC 854) on TCP 23: a direction that opens with option negotiation (IAC followed by WILL, WONT, DO, DONT and
/// an option, or a subnegotiation). One side's negotiation waits for the other side's; when no more comes, two
/// well-formed commands in a row decide alone. A server that greets with text and negotiates nothing is not recognised.
/// </summary>
public sealed class TelnetInspector() : Inspector(new(AppLabel.Telnet, Tcp, [23], InspectorPrecision.Signature, 220) { UsesScratch = true, Depth = ProbeDepth.Exchange, FirstBytes = Leading(Iac) })
{
    private const byte Iac = 0xFF, Sb = 0xFA, Se = 0xF0, Will = 0xFB, Dont = 0xFE;
    private const ulong ClientNegotiated = 1, ServerNegotiated = 2;

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        var data = input.Data;
        if (!input.IsTcp || data.IsEmpty || data[0] != Iac) return InspectResult.NoMatch;
        int commands = Commands(data);
        if (commands < 0) return InspectResult.NoMatch;
        if (commands == 0) return input.Undecided;
        input.Scratch |= input.FromClient ? ClientNegotiated : ServerNegotiated;
        if (input.Scratch == (ClientNegotiated | ServerNegotiated) || (input.AtLimit && commands >= 2)) return InspectResult.Match;
        return input.Undecided;
    }

    // Well-formed commands at the start of the direction, up to the first byte that is no command (data); -1 when the
    // opening is no negotiation.
    private static int Commands(ReadOnlySpan<byte> data)
    {
        int at = 0, count = 0;
        while (at < data.Length && data[at] == Iac && count < 8)
        {
            if (at + 1 >= data.Length) return count;
            byte command = data[at + 1];
            if (command is >= Will and <= Dont)
            {
                if (at + 2 >= data.Length) return count;
                at += 3;
            }
            else if (command == Sb)
            {
                int end = data[(at + 2)..].IndexOf([Iac, Se]);
                if (end < 0) return count;
                at += 2 + end + 2;
            }
            else return count == 0 ? -1 : count;
            count++;
        }
        return count;
    }
}
