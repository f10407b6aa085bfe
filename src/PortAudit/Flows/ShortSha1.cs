using System.Buffers.Binary;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace PortAudit.Flows;

/// <summary>
/// SHA-1 (FIPS 180-4) of a message short enough to fit one padded block (at most 55 bytes), in managed code.
/// The Community ID hashes at most 40 bytes per flow, once per flow record: the framework's one-shot SHA-1 goes to
/// the platform's crypto library and sets up a context for every call, which cost about three times this single
/// compression, and the flow records of a large capture are formatted at the end of the run while the user waits.
/// Not for secrets: a flow fingerprint, checked against the framework's SHA-1 in the tests.
/// </summary>
/// <remarks>
/// The flows that end with the input are formatted together, at the end of the run, by the one thread that writes their
/// records; there the digest was a fifth of that thread's time. <see cref="HashLanes"/> hashes <see cref="Lanes"/> blocks
/// at once, each in its own lane of a vector: the rounds are the same, run on eight messages, for about 0.4 of the
/// time per message. The published tool is compiled for processors without AVX2, where a 256-bit vector is worked as two
/// 128-bit halves: still two chains of rounds in flight at once.
/// <para>
/// Kept instead of <see cref="System.Security.Cryptography.SHA1.HashData(ReadOnlySpan{byte}, Span{byte})"/> (issue 46), by
/// measurement. Stopwatch, best of 7, 1M Community ID inputs (nine in ten IPv4 of 16 bytes, one IPv6 of 40): SHA1.HashData
/// 750 ms, <see cref="Hash"/> 234 ms (SHA1.HashData 3.2 times), <see cref="HashLanes"/> 64 ms (SHA1.HashData 11.8 times).
/// End to end, the published (AOT) tool's <c>flows /tmp/mix.pcap --format jsonl</c> (985 MB, 271,748 flows) with
/// SHA1.HashData in <see cref="CommunityId"/> against this, interleaved with <c>tcpdump -r</c> over 15 rounds: the median
/// run went from 2.28 to 2.76 times tcpdump's, 1.21 times the time (per round 1.17, best runs 1.09), past the 5% allowed.
/// </para>
/// </remarks>
[SkipLocalsInit] // the schedule is written before it is read; zeroing it first cost a tenth of the hash
internal static class ShortSha1
{
    /// <summary>Longest message that fits one block with its padding and length.</summary>
    public const int MaxMessageLength = 55;

    /// <summary>Bytes of one block: a message with its padding and length.</summary>
    public const int BlockLength = 64;

    /// <summary>Bytes of a digest.</summary>
    public const int DigestLength = 20;

    /// <summary>Blocks hashed at once by <see cref="HashLanes"/>.</summary>
    public const int Lanes = 8;

    private const uint H0 = 0x67452301, H1 = 0xEFCDAB89, H2 = 0x98BADCFE, H3 = 0x10325476, H4 = 0xC3D2E1F0;
    private const uint K1 = 0x5A827999, K2 = 0x6ED9EBA1, K3 = 0x8F1BBCDC, K4 = 0xCA62C1D6;

    /// <summary>Writes the 20-byte SHA-1 digest of <paramref name="message"/> (at most <see cref="MaxMessageLength"/> bytes).</summary>
    public static void Hash(ReadOnlySpan<byte> message, Span<byte> digest)
    {
        if (message.Length > MaxMessageLength) ThrowTooLong(message.Length);
        Span<uint> w = stackalloc uint[80];
        Span<byte> block = stackalloc byte[BlockLength];
        message.CopyTo(block);
        Pad(block, message.Length);
        for (int i = 0; i < 16; i++) w[i] = BinaryPrimitives.ReadUInt32BigEndian(block[(i * 4)..]);
        for (int i = 16; i < 80; i++) w[i] = BitOperations.RotateLeft(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);

        uint a = H0, b = H1, c = H2, d = H3, e = H4;
        int t = 0;
        for (; t < 20; t++) Round(ref a, ref b, ref c, ref d, ref e, ((b & c) | (~b & d)) + K1 + w[t]);
        for (; t < 40; t++) Round(ref a, ref b, ref c, ref d, ref e, (b ^ c ^ d) + K2 + w[t]);
        for (; t < 60; t++) Round(ref a, ref b, ref c, ref d, ref e, ((b & c) | (b & d) | (c & d)) + K3 + w[t]);
        for (; t < 80; t++) Round(ref a, ref b, ref c, ref d, ref e, (b ^ c ^ d) + K4 + w[t]);

        BinaryPrimitives.WriteUInt32BigEndian(digest, H0 + a);
        BinaryPrimitives.WriteUInt32BigEndian(digest[4..], H1 + b);
        BinaryPrimitives.WriteUInt32BigEndian(digest[8..], H2 + c);
        BinaryPrimitives.WriteUInt32BigEndian(digest[12..], H3 + d);
        BinaryPrimitives.WriteUInt32BigEndian(digest[16..], H4 + e);
    }

    /// <summary>
    /// Completes <paramref name="block"/> (<see cref="BlockLength"/> bytes), whose first <paramref name="length"/> bytes
    /// are a message of at most <see cref="MaxMessageLength"/>: zeros after it, the 0x80 that ends it, and its length
    /// in bits.
    /// </summary>
    public static void Pad(Span<byte> block, int length)
    {
        if (length > MaxMessageLength) ThrowTooLong(length);
        block = block[..BlockLength];
        block[length..].Clear();
        block[length] = 0x80;
        BinaryPrimitives.WriteUInt64BigEndian(block[56..], (ulong)length * 8);
    }

    /// <summary>
    /// Writes the digests of <see cref="Lanes"/> padded blocks (<see cref="Pad"/>), laid one after another in
    /// <paramref name="blocks"/>, one after another into <paramref name="digests"/> (<see cref="DigestLength"/> bytes each).
    /// </summary>
    public static void HashLanes(ReadOnlySpan<byte> blocks, Span<byte> digests)
    {
        Debug.Assert(Vector256<uint>.Count == Lanes);
        blocks = blocks[..(Lanes * BlockLength)];
        digests = digests[..(Lanes * DigestLength)];
        // The schedule, word by word, each word holding that word of every block.
        Span<Vector256<uint>> w = stackalloc Vector256<uint>[80];
        Span<uint> word = stackalloc uint[Lanes];
        for (int i = 0; i < 16; i++)
        {
            for (int lane = 0; lane < Lanes; lane++)
                word[lane] = BinaryPrimitives.ReadUInt32BigEndian(blocks[(lane * BlockLength + i * 4)..]);
            w[i] = Vector256.Create<uint>(word);
        }
        for (int i = 16; i < 80; i++) w[i] = RotateLeft(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);

        var a = Vector256.Create(H0);
        var b = Vector256.Create(H1);
        var c = Vector256.Create(H2);
        var d = Vector256.Create(H3);
        var e = Vector256.Create(H4);
        int t = 0;
        for (; t < 20; t++) Round(ref a, ref b, ref c, ref d, ref e, (d ^ (b & (c ^ d))) + Vector256.Create(K1) + w[t]);
        for (; t < 40; t++) Round(ref a, ref b, ref c, ref d, ref e, (b ^ c ^ d) + Vector256.Create(K2) + w[t]);
        for (; t < 60; t++) Round(ref a, ref b, ref c, ref d, ref e, ((b & c) | (d & (b | c))) + Vector256.Create(K3) + w[t]);
        for (; t < 80; t++) Round(ref a, ref b, ref c, ref d, ref e, (b ^ c ^ d) + Vector256.Create(K4) + w[t]);
        a += Vector256.Create(H0);
        b += Vector256.Create(H1);
        c += Vector256.Create(H2);
        d += Vector256.Create(H3);
        e += Vector256.Create(H4);
        for (int lane = 0; lane < Lanes; lane++)
        {
            var digest = digests.Slice(lane * DigestLength, DigestLength);
            BinaryPrimitives.WriteUInt32BigEndian(digest, a.GetElement(lane));
            BinaryPrimitives.WriteUInt32BigEndian(digest[4..], b.GetElement(lane));
            BinaryPrimitives.WriteUInt32BigEndian(digest[8..], c.GetElement(lane));
            BinaryPrimitives.WriteUInt32BigEndian(digest[12..], d.GetElement(lane));
            BinaryPrimitives.WriteUInt32BigEndian(digest[16..], e.GetElement(lane));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> RotateLeft(Vector256<uint> value, int count) => (value << count) | (value >>> (32 - count));

    /// <summary>One step on every lane, as <see cref="Round(ref uint, ref uint, ref uint, ref uint, ref uint, uint)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Round(ref Vector256<uint> a, ref Vector256<uint> b, ref Vector256<uint> c, ref Vector256<uint> d,
        ref Vector256<uint> e, Vector256<uint> mixed)
    {
        var next = RotateLeft(a, 5) + e + mixed;
        e = d;
        d = c;
        c = RotateLeft(b, 30);
        b = a;
        a = next;
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
