using System.Text;
using System.Runtime.CompilerServices;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// SMTP, POP3, IMAP or NNTP, by dialect: the server greeting or the client's first command claims the flow; the flow
/// stays claimed so that a later STARTTLS (STLS) can be seen, which appDetail then reports as "starttls".
/// </summary>
public sealed class MailInspector : Inspector
{
    private const ulong Claimed = 1, WeakGreeting = 2;
    private readonly MailDialect _dialect;
    private readonly byte[][] _greetings;
    private readonly byte[][] _commands;
    private readonly byte[]? _keyword;
    private readonly byte[] _startTls;

    /// <summary>Creates the inspector of one dialect.</summary>
    public MailInspector(MailDialect dialect) : base(new(dialect.Label, Tcp, dialect.Ports, InspectorPrecision.StartLine, dialect.Order) { Depth = ProbeDepth.Exchange })
    {
        _dialect = dialect;
        _greetings = dialect.Greetings.Select(Encoding.ASCII.GetBytes).ToArray();
        _commands = dialect.Commands.Select(Encoding.ASCII.GetBytes).ToArray();
        _keyword = dialect.GreetingKeyword is null ? null : Encoding.ASCII.GetBytes(dialect.GreetingKeyword);
        _startTls = Encoding.ASCII.GetBytes(dialect.StartTls);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override InspectResult Inspect(ref InspectionInput input)
    {
        if (!input.IsTcp) return InspectResult.NoMatch;
        bool claimed = (input.Scratch & Claimed) != 0;
        if (!AsciiText.TryFirstLine(input.Data, out var line))
            return claimed ? InspectResult.Partial : !input.AtLimit && input.Data.Length < 512 && CouldStart(input.Data) ? InspectResult.NeedMore : InspectResult.NoMatch;
        return input.FromClient ? OnClient(ref input, line, claimed) : OnServer(ref input, line, claimed);
    }

    private InspectResult OnClient(ref InspectionInput input, ReadOnlySpan<byte> line, bool claimed)
    {
        if (!claimed && !StartsWithCommand(line)) return InspectResult.NoMatch;
        input.Scratch |= Claimed;
        if (!AsciiText.HasCommandLine(input.Data, _startTls, _dialect.Tagged)) return InspectResult.Partial;
        input.Flow.AppDetail = AppDetail.Word("starttls");
        return InspectResult.Match;
    }

    private InspectResult OnServer(ref InspectionInput input, ReadOnlySpan<byte> line, bool claimed)
    {
        if (claimed) return InspectResult.Partial;
        bool greeting = false;
        foreach (var prefix in _greetings) greeting |= AsciiText.StartsWithIgnoreCase(line, prefix);
        if (!greeting) return InspectResult.NoMatch;
        if (_keyword is not null && AsciiText.IndexOfIgnoreCase(line, _keyword) < 0)
        {
            // A bare "220"/"200" greeting is shared with FTP and others: let the client's first command decide.
            input.Scratch |= WeakGreeting;
            return InspectResult.NeedMore;
        }
        input.Scratch |= Claimed;
        return InspectResult.Partial;
    }

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
