namespace PortAudit.Inspect.Protocols;

/// <summary>
/// A handshake message gathered from pieces placed by offset, in any order, across records, packets and datagrams: a
/// DTLS hello's fragments (RFC 6347 4.2.3: fragment_offset and fragment_length), a QUIC Initial's CRYPTO frames (RFC
/// 9000 19.6: the stream offset). Its bytes, then one bit per byte saying which are here.
/// Fragments may overlap, as retransmissions do, while the bytes they share agree; bytes that differ from those already
/// placed are a lie (two readers would see two messages), and the message is not read.
/// </summary>
public readonly ref struct HelloAssembly
{
    /// <summary>The longest message gathered: the bound TLS reads a hello to.</summary>
    public const int MaxLength = TlsHandshakeMessage.MaxBodyLength;

    /// <summary>Bytes the buffer needs: the message and its bit map.</summary>
    public const int BufferLength = MaxLength + MaxLength / 8;

    private readonly Span<byte> _message, _present;

    /// <summary>Gathers into <paramref name="buffer"/> (<see cref="BufferLength"/> bytes, zeroed before the first fragment).</summary>
    public HelloAssembly(Span<byte> buffer)
    {
        _message = buffer[..MaxLength];
        _present = buffer.Slice(MaxLength, MaxLength / 8);
    }

    /// <summary>Forgets what was gathered (a newer message starts).</summary>
    public void Clear() => _present.Clear();

    /// <summary>
    /// Places <paramref name="fragment"/> at <paramref name="offset"/> (the caller checked it ends within
    /// <see cref="MaxLength"/>) and adds the bytes it brought to <paramref name="gathered"/>; false when a byte it
    /// repeats differs from the one placed before.
    /// </summary>
    public bool TryPlace(int offset, ReadOnlySpan<byte> fragment, ref int gathered)
    {
        for (int i = 0; i < fragment.Length; i++)
        {
            int at = offset + i;
            byte bit = (byte)(1 << (at & 7));
            if ((_present[at >> 3] & bit) != 0)
            {
                if (_message[at] != fragment[i]) return false;
                continue;
            }
            _message[at] = fragment[i];
            _present[at >> 3] |= bit;
            gathered++;
        }
        return true;
    }

    /// <summary>The bytes gathered from the message's start up to the first one missing.</summary>
    public ReadOnlySpan<byte> Prefix(int length)
    {
        int end = 0;
        while (end < length && (_present[end >> 3] & (1 << (end & 7))) != 0) end++;
        return _message[..end];
    }
}
