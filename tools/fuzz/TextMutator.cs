using System.Text;

namespace PortAudit.Fuzz;

/// <summary>
/// Mutations of YAML as text, aimed at what a hostile or careless author writes: deep nesting, aliases that expand,
/// huge scalars, repeated lines, boundary numbers and odd address forms, invalid UTF-8, control and bidi characters.
/// </summary>
public static class TextMutator
{
    private static readonly string[] Numbers = ["0", "-1", "65535", "65536", "4294967296", "1e309", "NaN", "010", "0x50", "99999999999999999999"];
    private static readonly string[] Addresses = ["010.1.1.1", "1.2.3.4/33", "::ffff:1.2.3.4", "256.1.1.1", "1.2.3", "fe80::1%eth0", "0.0.0.0/0", "::/0"];
    private static readonly string[] Hostile = ["\u202E", "\u001B[31m", "<svg onload=alert(1)>", "|a|b|\n", "=cmd|' /C calc'!A0", "\0", "# ", "&a ", "*a", "!!binary ", "<<: *a"];

    /// <summary>A mutation of the UTF-8 text <paramref name="input"/>.</summary>
    public static byte[] Mutate(Random random, byte[] input)
    {
        var lines = Encoding.UTF8.GetString(input).Split('\n').ToList();
        for (int i = 0, count = ByteMutator.Stacked(random); i < count; i++) MutateOnce(random, lines);
        var bytes = Encoding.UTF8.GetBytes(string.Join('\n', lines));
        if (random.Next(16) == 0) bytes = WithInvalidUtf8(random, bytes);
        return bytes.Length > ByteMutator.MaxLength ? bytes[..ByteMutator.MaxLength] : bytes;
    }

    private static void MutateOnce(Random random, List<string> lines)
    {
        if (lines.Count == 0) lines.Add("");
        int at = random.Next(lines.Count);
        switch (random.Next(9))
        {
            case 0: // duplicate a line many times
                lines.InsertRange(at, Enumerable.Repeat(lines[at], (int)Math.Min(1 + random.Next(2000), Room(lines) / (lines[at].Length + 1))));
                break;
            case 1: // delete lines
                lines.RemoveRange(at, Math.Min(lines.Count - at, 1 + random.Next(5)));
                break;
            case 2: // nest deeper than any document needs
                lines.Insert(at, Nesting(random.Next(2) == 0 ? 100 : 20_000));
                break;
            case 3: // an anchor on one line and aliases of it everywhere
                Aliases(random, lines, at);
                break;
            case 4: // a huge scalar
                lines[at] += new string('x', (int)Math.Min(random.Next(2) == 0 ? 1000 : 2_000_000, Room(lines)));
                break;
            case 5: // a boundary number in place of a word
                lines[at] = ReplaceWord(random, lines[at], Numbers[random.Next(Numbers.Length)]);
                break;
            case 6: // an odd address in place of a word
                lines[at] = ReplaceWord(random, lines[at], Addresses[random.Next(Addresses.Length)]);
                break;
            case 7: // hostile text inside a line
                lines[at] = lines[at].Insert(random.Next(lines[at].Length + 1), Hostile[random.Next(Hostile.Length)]);
                break;
            default: // indentation shifted
                lines[at] = random.Next(2) == 0 ? "  " + lines[at] : lines[at].TrimStart();
                break;
        }
    }

    // Characters the text may still grow by: stacked mutations must not multiply past the bound.
    private static long Room(List<string> lines) => Math.Max(0, ByteMutator.MaxLength - lines.Sum(l => (long)l.Length + 1));

    private static string Nesting(int depth)
    {
        var text = new StringBuilder();
        text.Append("deep: ");
        text.Append('[', depth);
        text.Append(']', depth);
        return text.ToString();
    }

    private static void Aliases(Random random, List<string> lines, int at)
    {
        lines.Insert(0, "x-anchor: &a [" + string.Join(", ", Enumerable.Repeat("1.2.3.4", 50)) + "]");
        int aliases = (int)Math.Min(1 + random.Next(5000), Room(lines) / 8);
        for (int i = 0; i < aliases; i++) lines.Insert(Math.Min(at + 1, lines.Count), "  - *a");
    }

    private static string ReplaceWord(Random random, string line, string replacement)
    {
        var words = line.Split(' ');
        words[random.Next(words.Length)] = replacement;
        return string.Join(' ', words);
    }

    private static byte[] WithInvalidUtf8(Random random, byte[] bytes)
    {
        var mutated = bytes.ToList();
        mutated.Insert(random.Next(mutated.Count + 1), (byte)(0x80 + random.Next(0x40)));
        return mutated.ToArray();
    }
}
