using System.Globalization;

namespace PortAudit.Flows.Facts;

/// <summary>
/// A flow's DCE/RPC call log (<see cref="RpcCallLog"/>) as text, one element per binding:
/// <c>UUID MAJOR OPNUMS VIA</c>, MAJOR <c>-</c> when unknown, OPNUMS comma-separated (<c>-</c> for none, a trailing
/// <c>+</c> when more were called than kept, then <c>?</c> when calls on it may have gone unread, then <c>!</c> when the
/// server refused it), VIA last, so that it may hold spaces (an SMB pipe's name). The store keeps the elements as its
/// <c>rpc_calls</c> array (<c>SELECT unnest(rpc_calls) FROM portaudit.flows</c>), and so does flows.parquet, as a list;
/// the TSV of <c>flows -f tsv</c> as one text of the elements on lines of their own (<see cref="Format(RpcCallLog, Span{char})"/>).
/// </summary>
public static class RpcCallText
{
    /// <summary>Characters of the element before VIA, at most.</summary>
    public const int MaxHead = 36 + 1 + 5 + 1 + RpcBinding.MaxOpnums * 6 + 1 + 1 + 1 + 1;

    /// <summary>What separates the elements in the one text of <see cref="Format(RpcCallLog, Span{char})"/>.</summary>
    public const char Separator = '\n';

    // A VIA character that would end an element in the one text (a control character in a pipe's name, which no real
    // pipe has): written as this instead, as the store writes a NUL.
    private const char Unreadable = '\uFFFD';

    /// <summary>Writes the element's UUID, MAJOR and OPNUMS, and the space before VIA, into <paramref name="text"/>; returns its length.</summary>
    public static int FormatHead(RpcBinding binding, Span<char> text)
    {
        binding.Uuid.TryFormat(text, out int at, "D");
        text[at++] = ' ';
        if (binding.MajorVersion is { } major)
        {
            major.TryFormat(text[at..], out int written, provider: CultureInfo.InvariantCulture);
            at += written;
        }
        else
        {
            text[at++] = '-';
        }
        text[at++] = ' ';
        if (binding.Opnums.Count == 0 && !binding.MoreOpnums && !binding.CallsUnseen) text[at++] = '-';
        for (int i = 0; i < binding.Opnums.Count; i++)
        {
            if (i > 0) text[at++] = ',';
            binding.Opnums[i].TryFormat(text[at..], out int written, provider: CultureInfo.InvariantCulture);
            at += written;
        }
        if (binding.MoreOpnums) text[at++] = '+';
        if (binding.CallsUnseen) text[at++] = '?';
        if (binding.Refused) text[at++] = '!';
        text[at++] = ' ';
        return at;
    }

    /// <summary>Characters of <see cref="Format(RpcCallLog, Span{char})"/>'s text of <paramref name="log"/>, at most.</summary>
    public static int MaxLength(RpcCallLog log)
    {
        int length = 0;
        foreach (var binding in log.Bindings) length += MaxHead + binding.Via.Length + 1;
        return length;
    }

    /// <summary>
    /// Writes every element of <paramref name="log"/> into <paramref name="text"/> (at least <see cref="MaxLength"/>
    /// characters), each after a <see cref="Separator"/> but the first; returns the length (0 for a log of no binding).
    /// </summary>
    public static int Format(RpcCallLog log, Span<char> text)
    {
        int at = 0;
        foreach (var binding in log.Bindings)
        {
            if (at > 0) text[at++] = Separator;
            at += FormatHead(binding, text[at..]);
            foreach (char c in binding.Via) text[at++] = char.IsControl(c) ? Unreadable : c;
        }
        return at;
    }

    /// <summary>The bindings of <paramref name="elements"/> as a flow's call log; an element that does not read (written by hand in SQL) is left out.</summary>
    public static RpcCallLog Parse(IEnumerable<string> elements, bool moreBindings, string? uninspectable)
    {
        var log = new RpcCallLog { MoreBindings = moreBindings };
        foreach (string element in elements)
        {
            string[] parts = element.Split(' ', 4);
            if (parts.Length != 4 || !Guid.TryParse(parts[0], out var uuid)) continue;
            ushort? major = ushort.TryParse(parts[1], CultureInfo.InvariantCulture, out ushort number) ? number : null;
            if (log.Bind(uuid, major, parts[3]) is not { } binding) continue;
            string opnums = parts[2];
            if (opnums.EndsWith('!')) binding.Answered(accepted: false);
            opnums = opnums.TrimEnd('!');
            binding.CallsUnseen = opnums.EndsWith('?');
            opnums = opnums.TrimEnd('?');
            binding.MoreOpnums = opnums.EndsWith('+');
            foreach (string opnum in opnums.TrimEnd('+').Split(','))
                if (ushort.TryParse(opnum, CultureInfo.InvariantCulture, out ushort called)) binding.Called(called);
        }
        log.Uninspectable = uninspectable;
        return log;
    }

    /// <summary>The log of <paramref name="text"/>, as <see cref="Format(RpcCallLog, Span{char})"/> wrote it, with <paramref name="log"/>'s other facts.</summary>
    public static RpcCallLog Parse(string text, RpcCallLog? log) =>
        Parse(text.Split(Separator), log?.MoreBindings ?? false, log?.Uninspectable);
}
