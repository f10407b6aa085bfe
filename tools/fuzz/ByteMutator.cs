using System.Buffers.Binary;

namespace PortAudit.Fuzz;

/// <summary>
/// Format-blind mutations of bytes, stacked one to four at a time (mostly one): bit flips, boundary integers over length fields,
/// inserted, deleted and repeated ranges, truncation, and splices with another seed.
/// </summary>
public static class ByteMutator
{
    /// <summary>Largest mutated input: inputs grow by repetition, and a hang must come from the reader, not the size.</summary>
    public const int MaxLength = 4 << 20;

    private static readonly uint[] Boundaries = [0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF];

    /// <summary>A mutation of <paramref name="input"/>; <paramref name="others"/> supply splices.</summary>
    public static byte[] Mutate(Random random, byte[] input, IReadOnlyList<FuzzSeed> others)
    {
        var data = new List<byte>(input);
        for (int i = 0, count = Stacked(random); i < count; i++) MutateOnce(random, data, others);
        if (data.Count > MaxLength) data.RemoveRange(MaxLength, data.Count - MaxLength);
        return data.ToArray();
    }

    /// <summary>How many mutations to stack: one half the time, two a quarter, up to four; strict formats refuse most stacks.</summary>
    public static int Stacked(Random random)
    {
        int count = 1;
        while (count < 4 && random.Next(2) == 0) count++;
        return count;
    }

    private static void MutateOnce(Random random, List<byte> data, IReadOnlyList<FuzzSeed> others)
    {
        if (data.Count == 0)
        {
            data.Add((byte)random.Next(256));
            return;
        }
        int at = random.Next(data.Count);
        switch (random.Next(8))
        {
            case 0: // one bit
                data[at] ^= (byte)(1 << random.Next(8));
                break;
            case 1: // a random byte
                data[at] = (byte)random.Next(256);
                break;
            case 2: // a boundary integer over what may be a length, count or offset, in either byte order
                WriteBoundary(random, data, at);
                break;
            case 3: // delete a range
                data.RemoveRange(at, Math.Min(data.Count - at, 1 + random.Next(64)));
                break;
            case 4: // insert random bytes
                data.InsertRange(at, RandomBytes(random, 1 + random.Next(64)));
                break;
            case 5: // repeat a range: records and nested structures many times over
                RepeatRange(random, data, at);
                break;
            case 6: // truncate
                data.RemoveRange(at, data.Count - at);
                break;
            default: // splice in a range of another seed
                Splice(random, data, at, others);
                break;
        }
    }

    private static void WriteBoundary(Random random, List<byte> data, int at)
    {
        uint value = Boundaries[random.Next(Boundaries.Length)];
        Span<byte> bytes = stackalloc byte[4];
        int width = random.Next(2) == 0 ? 2 : 4;
        bool bigEndian = random.Next(2) == 0;
        if (width == 2)
        {
            if (bigEndian) BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)value);
            else BinaryPrimitives.WriteUInt16LittleEndian(bytes, (ushort)value);
        }
        else if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        else BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        for (int i = 0; i < width && at + i < data.Count; i++) data[at + i] = bytes[i];
    }

    private static void RepeatRange(Random random, List<byte> data, int at)
    {
        int length = Math.Min(data.Count - at, 1 + random.Next(256));
        int times = 1 + random.Next(random.Next(2) == 0 ? 4 : 256);
        var range = data.GetRange(at, length);
        for (int i = 0; i < times && data.Count + length <= MaxLength; i++) data.InsertRange(at, range);
    }

    private static void Splice(Random random, List<byte> data, int at, IReadOnlyList<FuzzSeed> others)
    {
        var other = others[random.Next(others.Count)].Bytes;
        if (other.Length == 0) return;
        int from = random.Next(other.Length);
        int length = Math.Min(other.Length - from, 1 + random.Next(512));
        data.InsertRange(at, other.AsSpan(from, length).ToArray());
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
