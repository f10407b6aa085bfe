using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace PortAudit.Flows;

/// <summary>
/// SHA-1 (FIPS 180-4) of a message short enough to fit one padded block (at most 55 bytes), in managed code.
/// The Community ID hashes at most 40 bytes per flow, once per flow record: the framework's one-shot SHA-1 goes to
/// the platform's crypto library and sets up a context for every call, which cost about three times this single
/// compression, and the flow records of a large capture are formatted at the end of the run while the user waits.
/// Not for secrets: a flow fingerprint, checked against the framework's SHA-1 in the tests.
/// </summary>
[SkipLocalsInit] // the schedule is written before it is read; zeroing it first cost a tenth of the hash
internal static class ShortSha1
{
    /// <summary>Longest message that fits one block with its padding and length.</summary>
    public const int MaxMessageLength = 55;

    /// <summary>Writes the 20-byte SHA-1 digest of <paramref name="message"/> (at most <see cref="MaxMessageLength"/> bytes).</summary>
    public static void Hash(ReadOnlySpan<byte> message, Span<byte> digest)
    {
        if (message.Length > MaxMessageLength) ThrowTooLong(message.Length);
        Span<uint> w = stackalloc uint[80];
        Span<byte> block = stackalloc byte[64];
        block.Clear();
        message.CopyTo(block);
        block[message.Length] = 0x80;
        BinaryPrimitives.WriteUInt64BigEndian(block[56..], (ulong)message.Length * 8);
        for (int i = 0; i < 16; i++) w[i] = BinaryPrimitives.ReadUInt32BigEndian(block[(i * 4)..]);
        for (int i = 16; i < 80; i++) w[i] = BitOperations.RotateLeft(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);

        const uint H0 = 0x67452301, H1 = 0xEFCDAB89, H2 = 0x98BADCFE, H3 = 0x10325476, H4 = 0xC3D2E1F0;
        uint a = H0, b = H1, c = H2, d = H3, e = H4;
        int t = 0;
        for (; t < 20; t++) Round(ref a, ref b, ref c, ref d, ref e, ((b & c) | (~b & d)) + 0x5A827999 + w[t]);
        for (; t < 40; t++) Round(ref a, ref b, ref c, ref d, ref e, (b ^ c ^ d) + 0x6ED9EBA1 + w[t]);
        for (; t < 60; t++) Round(ref a, ref b, ref c, ref d, ref e, ((b & c) | (b & d) | (c & d)) + 0x8F1BBCDC + w[t]);
        for (; t < 80; t++) Round(ref a, ref b, ref c, ref d, ref e, (b ^ c ^ d) + 0xCA62C1D6 + w[t]);

        BinaryPrimitives.WriteUInt32BigEndian(digest, H0 + a);
        BinaryPrimitives.WriteUInt32BigEndian(digest[4..], H1 + b);
        BinaryPrimitives.WriteUInt32BigEndian(digest[8..], H2 + c);
        BinaryPrimitives.WriteUInt32BigEndian(digest[12..], H3 + d);
        BinaryPrimitives.WriteUInt32BigEndian(digest[16..], H4 + e);
    }

    /// <summary>One step: <paramref name="mixed"/> is the round function of b, c, d plus the round constant and word.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Round(ref uint a, ref uint b, ref uint c, ref uint d, ref uint e, uint mixed)
    {
        uint next = BitOperations.RotateLeft(a, 5) + e + mixed;
        e = d;
        d = c;
        c = BitOperations.RotateLeft(b, 30);
        b = a;
        a = next;
    }

    private static void ThrowTooLong(int length) =>
        throw new ArgumentException($"{length} bytes do not fit one SHA-1 block (at most {MaxMessageLength})");
}
