using System.Buffers.Binary;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// The first handshake message of a TLS byte stream, read across the handshake records that carry it: RFC 8446 5.1 lets
/// a handshake message span records, and a ClientHello cut into several (by a TLS stack, or by a tool that hides its
/// server name from inspectors that read one record) has its extensions in the later ones.
/// </summary>
public static class TlsHandshakeMessage
{
    /// <summary>The longest message body read (DTLS gathers its fragments to the same bound): a hello is a few hundred bytes.</summary>
    public const int MaxBodyLength = 16384;

    /// <summary>The longest message read, body and header: one declared longer is not read.</summary>
    public const int MaxLength = MaxBodyLength + Header;

    private const int RecordHeader = 5, Header = 4;
    private const byte Handshake = 22;

    /// <summary>
    /// A handshake header's 24-bit big-endian field at the start of <paramref name="field"/>: a message's length, or a DTLS
    /// fragment's offset and length (RFC 6347 4.2.2).
    /// </summary>
    public static int Read24(ReadOnlySpan<byte> field) => field[0] << 16 | field[1] << 8 | field[2];

    /// <summary>How far the message could be read.</summary>
    public enum State
    {
        /// <summary>The records hold the whole message.</summary>
        Complete,
        /// <summary>The message goes on past the bytes shown so far.</summary>
        NeedMore,
        /// <summary>The message cannot be read whole: declared longer than <see cref="MaxLength"/>, or a record that is no handshake record comes before its end.</summary>
        Unreadable,
    }

    /// <summary>
    /// Reads the message whose first record starts <paramref name="data"/> (a handshake record): copies its bytes, header
    /// included, into <paramref name="into"/> as far as it holds them (<paramref name="gathered"/> bytes; an empty span only
    /// measures), and gives the offset after the record that ends it (<paramref name="end"/>, 0 unless complete).
    /// </summary>
    public static State Read(ReadOnlySpan<byte> data, Span<byte> into, out int gathered, out int end)
    {
        gathered = end = 0;
        int at = 0, have = 0, need = int.MaxValue;
        uint header = 0;
        // Each record holds at least one byte (TlsInspector.IsRecord), so the walk ends within data.Length / 6 turns.
        while (true)
        {
            if (data.Length - at < RecordHeader) return State.NeedMore;
            if (data[at] != Handshake || !TlsInspector.IsRecord(data[at..])) return State.Unreadable;
            int length = BinaryPrimitives.ReadUInt16BigEndian(data[(at + 3)..]);
            var fragment = data.Slice(at + RecordHeader, Math.Min(length, data.Length - at - RecordHeader));
            // The message's own header may itself be cut across records.
            for (int i = 0; have + i < Header && i < fragment.Length; i++) header = header << 8 | fragment[i];
            int copy = Math.Min(fragment.Length, into.Length - gathered);
            fragment[..copy].CopyTo(into[gathered..]);
            gathered += copy;
            have += fragment.Length;
            if (need == int.MaxValue && have >= Header)
            {
                need = Header + (int)(header & 0xFFFFFF);
                if (need > MaxLength) return State.Unreadable;
            }
            if (fragment.Length < length) return State.NeedMore;
            at += RecordHeader + length;
            if (have >= need)
            {
                gathered = Math.Min(gathered, need);
                end = at;
                return State.Complete;
            }
        }
    }

    /// <summary>
    /// Copies the fragments of the handshake records that start <paramref name="data"/>, one after the other, into
    /// <paramref name="into"/> until it is full: the handshake's byte stream, its messages in order (a hello and the
    /// certificate after it, RFC 8446 5.1). <paramref name="ended"/> when a record of another kind (or no record) came
    /// first, so that no more handshake bytes follow. Gives the bytes copied.
    /// </summary>
    public static int Gather(ReadOnlySpan<byte> data, Span<byte> into, out bool ended)
    {
        int gathered = 0, at = 0;
        ended = false;
        while (data.Length - at >= RecordHeader && gathered < into.Length)
        {
            if (data[at] != Handshake || !TlsInspector.IsRecord(data[at..]))
            {
                ended = true;
                break;
            }
            int length = BinaryPrimitives.ReadUInt16BigEndian(data[(at + 3)..]);
            var fragment = data.Slice(at + RecordHeader, Math.Min(length, data.Length - at - RecordHeader));
            int copy = Math.Min(fragment.Length, into.Length - gathered);
            fragment[..copy].CopyTo(into[gathered..]);
            gathered += copy;
            at += RecordHeader + length;
        }
        return gathered;
    }
}
