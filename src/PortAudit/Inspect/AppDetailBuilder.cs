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
    // Set once a part past MaxParts was started: its text goes nowhere.
    private bool _dropping;
    private PartKeys _keys;
    private PartOffsets _starts;
    private PartOffsets _ends;

    /// <summary>Builds into <paramref name="buffer"/>.</summary>
    public AppDetailBuilder(Span<char> buffer)
    {
        _buffer = buffer;
        _length = 0;
        _count = 0;
        _dropping = false;
    }

    /// <summary>Starts a new part, keyed by <paramref name="key"/> or a bare word when null; later appends fill its value.</summary>
    public void Part(string? key)
    {
        if (_count == MaxParts)
        {
            _dropping = true;
            return;
        }
        if (_count > 0)
        {
            _ends[_count - 1] = _length;
            Write("; ");
        }
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
        if (!_dropping) Write(text);
    }

    /// <summary>Appends at most <paramref name="max"/> wire bytes, made printable (see <see cref="AsciiText.Printable"/>).</summary>
    public void AppendPrintable(ReadOnlySpan<byte> bytes, int max)
    {
        if (_count == 0) Part(null);
        if (!_dropping) _length += AsciiText.CopyPrintable(bytes[..Math.Min(bytes.Length, max)], _buffer[_length..]);
    }

    /// <summary>Appends one character.</summary>
    public void Append(char c)
    {
        if (_count == 0) Part(null);
        if (!_dropping && _length < _buffer.Length) _buffer[_length++] = c;
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
            // A part the buffer cut keeps what fitted: its value is empty when even its key did not.
            int end = i + 1 < _count ? _ends[i] : _length;
            parts[i] = new DetailPart(_keys[i], new string(_buffer[Math.Min(_starts[i], end)..end]));
        }
        return new AppDetail(parts);
    }

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
