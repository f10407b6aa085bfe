namespace PortAudit.Inspect;

/// <summary>
/// Builds an appDetail text such as <c>GET; host=example.org</c> in a caller's stack buffer, so that a detail of
/// several parts costs one string. Text beyond the buffer is cut: wire bytes never make a detail longer than it.
/// </summary>
public ref struct DetailText
{
    /// <summary>A buffer size that holds every built-in detail: a 253-character server name and then some.</summary>
    public const int DefaultCapacity = 512;

    private readonly Span<char> _buffer;
    private int _length;

    /// <summary>Builds into <paramref name="buffer"/>.</summary>
    public DetailText(Span<char> buffer)
    {
        _buffer = buffer;
        _length = 0;
    }

    /// <summary>Starts a new part: "; " before it unless it is the first.</summary>
    public void Part(ReadOnlySpan<char> label)
    {
        if (_length > 0) Append("; ");
        Append(label);
    }

    /// <summary>Appends text as it is.</summary>
    public void Append(ReadOnlySpan<char> text)
    {
        int count = Math.Min(text.Length, _buffer.Length - _length);
        text[..count].CopyTo(_buffer[_length..]);
        _length += count;
    }

    /// <summary>Appends at most <paramref name="max"/> wire bytes, made printable (see <see cref="AsciiText.Printable"/>).</summary>
    public void AppendPrintable(ReadOnlySpan<byte> bytes, int max)
    {
        var room = _buffer[_length..];
        _length += AsciiText.CopyPrintable(bytes[..Math.Min(bytes.Length, max)], room);
    }

    /// <summary>Appends one character.</summary>
    public void Append(char c)
    {
        if (_length < _buffer.Length) _buffer[_length++] = c;
    }

    /// <summary>Characters written so far.</summary>
    public readonly int Length => _length;

    /// <summary>The text built.</summary>
    public override readonly string ToString() => new(_buffer[.._length]);
}
