namespace PortAudit.Audit.Anomaly;

/// <summary>
/// Measures the name a DNS query asks for: its length and the Shannon entropy of its characters (bits per character,
/// dots left out). A tunnel's names are long and random (about 5 bits); names people use are short and wordy (about 3).
/// </summary>
public static class DnsQuestion
{
    private const int HeaderLength = 12;

    /// <summary>
    /// Reads the first question of <paramref name="message"/> when it is a query (QR clear, at least one question, an
    /// uncompressed name); false otherwise.
    /// </summary>
    public static bool TryMeasure(ReadOnlySpan<byte> message, out int length, out double entropy)
    {
        length = 0;
        entropy = 0;
        if (message.Length <= HeaderLength || (message[2] & 0x80) != 0 || (message[4] << 8 | message[5]) == 0) return false;
        Span<int> counts = stackalloc int[256];
        int at = HeaderLength, characters = 0, labels = 0;
        while (at < message.Length && message[at] != 0)
        {
            int label = message[at];
            // A pointer or a label past the end: no name to measure.
            if (label > 63 || at + 1 + label > message.Length) return false;
            foreach (byte b in message.Slice(at + 1, label)) counts[char.ToLowerInvariant((char)b) & 0xff]++;
            characters += label;
            labels++;
            at += 1 + label;
        }
        if (at >= message.Length || characters == 0) return false;
        length = characters + labels - 1;
        foreach (int count in counts)
        {
            if (count == 0) continue;
            double p = (double)count / characters;
            entropy -= p * Math.Log2(p);
        }
        return true;
    }
}
