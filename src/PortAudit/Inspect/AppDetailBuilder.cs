using System.Runtime.CompilerServices;

namespace PortAudit.Inspect;

/// <summary>
/// Builds an <see cref="AppDetail"/> of several parts in a caller's stack buffer, so that wire text is copied once,
/// into the parts' values, when the inspector has decided. The buffer bounds the formatted text: wire bytes never
/// make a detail longer than it.
/// </summary>
public ref struct AppDetailBuilder
{
    /// <summary>A buffer size that holds every built-in detail: a 253-character server name and then some.</summary>
    public const int DefaultCapacity = 512;

    /// <summary>Most parts one detail holds; parts past it are left out.</summary>
    public const int MaxParts = 8;

    private readonly Span<char> _buffer;
    private int _length;
    private int _count;
    private PartKeys _keys;
    private PartOffsets _starts;

    /// <summary>Builds into <paramref name="buffer"/>.</summary>
    public AppDetailBuilder(Span<char> buffer)
    {
        _buffer = buffer;
        _length = 0;
        _count = 0;
    }

    /// <summary>Starts a new part, keyed by <paramref name="key"/> or a bare word when null; later appends fill its value.</summary>
    public void Part(string? key)
    {
        if (_count == MaxParts) return;
        if (_count > 0) Write("; ");
        if (key is not null)
        {
            Write(key);
            Write("=");
        }
        _keys[_count] = key;
        _starts[_count] = _length;
        _count++;
    }

    /// <summary>Appends text as it is to the current part.</summary>
    public void Append(scoped ReadOnlySpan<char> text)
    {
        if (_count == 0) Part(null);
        Write(text);
    }

    /// <summary>Appends at most <paramref name="max"/> wire bytes, made printable (see <see cref="AsciiText.Printable"/>).</summary>
    public void AppendPrintable(ReadOnlySpan<byte> bytes, int max)
    {
        if (_count == 0) Part(null);
        _length += AsciiText.CopyPrintable(bytes[..Math.Min(bytes.Length, max)], _buffer[_length..]);
    }

    /// <summary>Appends one character.</summary>
    public void Append(char c)
    {
        if (_count == 0) Part(null);
        if (_length < _buffer.Length) _buffer[_length++] = c;
    }

    /// <summary>Characters of the formatted text so far.</summary>
    public readonly int Length => _length;

    /// <summary>The detail built, or null when nothing was.</summary>
    public readonly AppDetail? Build()
    {
        if (_count == 0) return null;
        var parts = new DetailPart[_count];
        for (int i = 0; i < _count; i++)
        {
            // A part whose key the buffer cut keeps what fitted: its value is empty.
            int start = Math.Min(_starts[i], _length);
            int end = i + 1 < _count ? Math.Max(start, _starts[i + 1] - SeparatorAndKey(i + 1)) : _length;
            parts[i] = new DetailPart(_keys[i], new string(_buffer[start..end]));
        }
        return new AppDetail(parts);
    }

    private readonly int SeparatorAndKey(int part) => 2 + (_keys[part] is { } key ? key.Length + 1 : 0);

    private void Write(scoped ReadOnlySpan<char> text)
    {
        int count = Math.Min(text.Length, _buffer.Length - _length);
        text[..count].CopyTo(_buffer[_length..]);
        _length += count;
    }

    [InlineArray(MaxParts)]
    private struct PartKeys
    {
        private string? _element;
    }

    [InlineArray(MaxParts)]
    private struct PartOffsets
    {
        private int _element;
    }
}
