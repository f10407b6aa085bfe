using System.Text;
using PortAudit.Common;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// SMTP, POP3, IMAP, NNTP or FTP, by dialect: the server's side decides. A greeting sure on its own claims the flow; a
/// greeting shared with other protocols (a bare "220") claims it together with the client's first command; a client
/// command alone never does, and a server whose first line is no greeting of the dialect rules the flow out (an FTP
/// server's "220 ProFTPD" with the client's "USER anonymous" is not POP3). The flow stays claimed so that a later
/// STARTTLS (STLS, AUTH TLS) can be seen, which appDetail then reports as "starttls"; the server's TLS hello after its
/// reply (RFC 3207 4, RFC 2595 4, RFC 4642 2.2) gives the version it chose, judged as on a TLS port
/// (<see cref="StartTls"/>; FTP's claim hands the flow to its follower, which reads it there).
/// </summary>
public sealed class MailInspector : Inspector
{
    private const ulong Claimed = 1, WeakGreeting = 2, CommandSeen = 4, ServerDenied = 8, StartTlsAsked = 16;
    private readonly MailDialect _dialect;
    private readonly byte[][] _greetings;
    private readonly byte[][] _commands;
    private readonly byte[]? _keyword;
    private readonly byte[] _startTls;

    /// <summary>Creates the inspector of one dialect.</summary>
    public MailInspector(MailDialect dialect) : base(new(dialect.Label, Tcp, dialect.Ports, InspectorPrecision.StartLine, dialect.Order) { UsesScratch = true, Depth = ProbeDepth.Exchange, Produces = [dialect.Label, .. dialect.AlsoProduces] })
    {
        _dialect = dialect;
        _greetings = dialect.Greetings.Select(Encoding.ASCII.GetBytes).ToArray();
        _commands = dialect.Commands.Select(Encoding.ASCII.GetBytes).ToArray();
        _keyword = dialect.GreetingKeyword is null ? null : Encoding.ASCII.GetBytes(dialect.GreetingKeyword);
        _startTls = Encoding.ASCII.GetBytes(dialect.StartTls);
    }

    /// <inheritdoc />
    public override InspectResult Inspect(ref InspectionInput input)
    {
        if (!input.IsTcp) return InspectResult.NoMatch;
        bool claimed = (input.Scratch & Claimed) != 0;
        if (!AsciiText.TryFirstLine(input.Data, out var line))
            return claimed ? InspectResult.Partial : !input.AtLimit && input.Data.Length < _dialect.MaxLineLength && CouldStart(input.Data) ? InspectResult.NeedMore : InspectResult.NoMatch;
        return input.FromClient ? OnClient(ref input, line, claimed) : OnServer(ref input, line, claimed);
    }

    private InspectResult OnClient(ref InspectionInput input, ReadOnlySpan<byte> line, bool claimed)
    {
        if (!claimed)
        {
            if ((input.Scratch & ServerDenied) != 0 || !StartsWithCommand(line)) return InspectResult.NoMatch;
            input.Scratch |= CommandSeen;
            // The server has not confirmed the dialect yet: wait for its greeting.
            if ((input.Scratch & WeakGreeting) == 0) return input.Undecided;
            input.Scratch |= Claimed;
        }
        if (!AsciiText.HasCommandLine(input.Data, _startTls, _dialect.Tagged)) return Claim();
        // The client's TLS hello follows its command in the same stream: the word is written once, not over the version.
        if ((input.Scratch & StartTlsAsked) == 0) input.Flow.AppDetail = AppDetail.Word(DetailKeys.StartTls);
        input.Scratch |= StartTlsAsked;
        // FTP's follower reads on (its claim ends inspection); the others wait here for the server's hello.
        return _dialect.FollowedAfterClaim ? InspectResult.Match : InspectResult.Partial;
    }

    private InspectResult OnServer(ref InspectionInput input, ReadOnlySpan<byte> line, bool claimed)
    {
        if (claimed) return (input.Scratch & StartTlsAsked) != 0 ? AfterStartTls(ref input) : InspectResult.Partial;
        bool greeting = false;
        foreach (var prefix in _greetings) greeting |= AsciiText.StartsWithIgnoreCase(line, prefix);
        if (!greeting)
        {
            input.Scratch |= ServerDenied;
            return InspectResult.NoMatch;
        }
        if (_keyword is not null && AsciiText.IndexOfIgnoreCase(line, _keyword) < 0)
        {
            // A bare "220"/"200" greeting is shared with FTP and others: let the client's first command decide.
            input.Scratch |= WeakGreeting;
            if ((input.Scratch & CommandSeen) == 0) return InspectResult.NeedMore;
        }
        input.Scratch |= Claimed;
        return Claim();
    }

    private InspectResult Claim() => _dialect.FollowedAfterClaim ? InspectResult.Match : InspectResult.Partial;

    // The server's side once the client asked for TLS: text lines, its reply among them, then a TLS handshake record at
    // the start of a line. Its first message, once whole, is read; anything there ends the reading.
    private static InspectResult AfterStartTls(ref InspectionInput input) =>
        StartTls.ReadServerSide(ref input, input.Data, StartTls.HandshakeAfterLines(input.Data));

    // Only text that could still grow into a greeting or a command is worth waiting for.
    private bool CouldStart(ReadOnlySpan<byte> data)
    {
        if (_dialect.Tagged) return AsciiText.IsPrintable(data);
        return StartsLike(data, _greetings) || StartsLike(data, _commands);
    }

    private static bool StartsLike(ReadOnlySpan<byte> data, byte[][] prefixes)
    {
        foreach (var prefix in prefixes)
        {
            int n = Math.Min(prefix.Length, data.Length);
            if (AsciiText.StartsWithIgnoreCase(data[..n], prefix.AsSpan(0, n))) return true;
        }
        return false;
    }

    private bool StartsWithCommand(ReadOnlySpan<byte> line)
    {
        if (_dialect.Tagged)
        {
            int space = line.IndexOf((byte)' ');
            if (space <= 0) return false;
            line = line[(space + 1)..];
        }
        foreach (var command in _commands)
            if (AsciiText.StartsWithIgnoreCase(line, command)) return true;
        return false;
    }
}
