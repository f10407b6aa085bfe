using System.Runtime.CompilerServices;
using PortAudit.Common;

namespace PortAudit.Flows.Facts;

/// <summary>
/// Builds an <see cref="AppDetail"/> of several parts in a caller's stack buffer, so that wire text is copied once,
/// into the detail's text, when the inspector has decided. The buffer bounds the formatted text: wire bytes never
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
    // Set once a part past MaxParts, or one whose key did not fit, was started: its text goes nowhere.
    private bool _dropping;
    private PartOffsets _partStarts;
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
    public void Part(string? key) => Part(key, keyed: key is not null);

    /// <summary>Starts a new part keyed by <paramref name="key"/>, or a bare word unless <paramref name="keyed"/>.</summary>
    internal void Part(scoped ReadOnlySpan<char> key, bool keyed)
    {
        // A part starts only when its separator and key fit: a key the buffer would cut could not be read back.
        int opening = (_count > 0 ? 2 : 0) + (keyed ? key.Length + 1 : 0);
        if (_dropping || _count == MaxParts || _length + opening > _buffer.Length)
        {
            _dropping = true;
            return;
        }
        if (_count > 0)
        {
            _ends[_count - 1] = _length;
            Write("; ");
        }
        _partStarts[_count] = _length;
        if (keyed)
        {
            Write(key);
            Write("=");
        }
        _starts[_count] = _length;
        _count++;
    }

    /// <summary>Appends text as it is to the current part.</summary>
    public void Append(scoped ReadOnlySpan<char> text)
    {
        if (_count == 0) Part(null);
        if (!_dropping) Write(text);
    }

    /// <summary>
    /// Appends wire bytes whole, in at most <paramref name="max"/> characters, as <see cref="AsciiText.CopyEscaped"/>
    /// writes them: printable ASCII as it is, commas included (an LDAP DN's structure, a display name's), and each other
    /// byte, <c>;</c> (which separates parts) and <c>%</c> as <c>%</c> and two hex digits, so that percent-decoding the
    /// value gives the bytes back. With <paramref name="escapeComma"/> a comma is escaped too, for an entry of a list
    /// the caller joins with commas (ALPN's). An escape is never cut; bytes past the bound are left out. Every value an
    /// inspector takes from the wire is written so.
    /// </summary>
    public void AppendEscaped(ReadOnlySpan<byte> bytes, int max, bool escapeComma = false)
    {
        if (_count == 0) Part(null);
        if (_dropping) return;
        int end = Math.Min(_buffer.Length, _length + max);
        _length += AsciiText.CopyEscaped(bytes, _buffer[_length..end], escapeComma);
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
        Span<AppDetail.PartBounds> bounds = stackalloc AppDetail.PartBounds[_count];
        for (int i = 0; i < _count; i++)
        {
            // A part the buffer cut keeps what fitted: its value is empty when even its key did not.
            int end = i + 1 < _count ? _ends[i] : _length;
            int start = Math.Min(_partStarts[i], end);
            int valueStart = Math.Min(_starts[i], end);
            bounds[i] = new(AppDetail.Bound(start), AppDetail.Bound(valueStart), AppDetail.Bound(end));
        }
        return AppDetail.FromText(_buffer[.._length], bounds);
    }

    private void Write(scoped ReadOnlySpan<char> text)
    {
        int count = Math.Min(text.Length, _buffer.Length - _length);
        text[..count].CopyTo(_buffer[_length..]);
        _length += count;
    }

    [InlineArray(MaxParts)]
    private struct PartOffsets
    {
        private int _element;
    }
}
