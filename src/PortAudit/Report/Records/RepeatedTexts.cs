namespace PortAudit.Report.Records;

/// <summary>
/// The bytes a record formatter last wrote for each text field, with the strings they came from. Consecutive records
/// repeat most of their texts (a role pair's host names and roles, the verdict, the application), and comparing the
/// references of the strings costs less than scanning the text for escapes and transcoding it again. Strings are
/// immutable, so the same references always make the same bytes; a list is compared item by item, not as an object.
/// </summary>
internal sealed class RepeatedTexts
{
    private readonly string[][] _sources;
    private readonly int[] _counts;
    private readonly byte[][] _bytes;
    private readonly int[] _lengths;

    /// <summary>Keeps one text per field of a record of <paramref name="fields"/> fields.</summary>
    public RepeatedTexts(int fields)
    {
        _sources = new string[fields][];
        _counts = new int[fields];
        _bytes = new byte[fields][];
        _lengths = new int[fields];
        Array.Fill(_counts, -1);
    }

    /// <summary>The bytes last written for <paramref name="field"/>, when they came from <paramref name="value"/> itself.</summary>
    public bool TryGet(int field, string value, out ReadOnlySpan<byte> bytes)
    {
        bytes = default;
        if (_counts[field] != 1 || !ReferenceEquals(_sources[field][0], value)) return false;
        bytes = _bytes[field].AsSpan(0, _lengths[field]);
        return true;
    }

    /// <summary>The bytes last written for <paramref name="field"/>, when they came from the same strings in the same order.</summary>
    public bool TryGet(int field, IReadOnlyList<string> values, out ReadOnlySpan<byte> bytes)
    {
        bytes = default;
        if (_counts[field] != values.Count) return false;
        var sources = _sources[field];
        for (int i = 0; i < values.Count; i++)
            if (!ReferenceEquals(sources[i], values[i])) return false;
        bytes = _bytes[field].AsSpan(0, _lengths[field]);
        return true;
    }

    /// <summary>Remembers <paramref name="bytes"/> as what <paramref name="value"/> makes in <paramref name="field"/>.</summary>
    public void Remember(int field, string value, ReadOnlySpan<byte> bytes)
    {
        Sources(field, 1)[0] = value;
        Keep(field, 1, bytes);
    }

    /// <summary>Remembers <paramref name="bytes"/> as what <paramref name="values"/> make in <paramref name="field"/>.</summary>
    public void Remember(int field, IReadOnlyList<string> values, ReadOnlySpan<byte> bytes)
    {
        var sources = Sources(field, values.Count);
        for (int i = 0; i < values.Count; i++) sources[i] = values[i];
        Keep(field, values.Count, bytes);
    }

    private string[] Sources(int field, int count)
    {
        if (_sources[field] is not { } sources || sources.Length < count) _sources[field] = sources = new string[Math.Max(count, 4)];
        return sources;
    }

    private void Keep(int field, int count, ReadOnlySpan<byte> bytes)
    {
        if (_bytes[field] is not { } kept || kept.Length < bytes.Length) _bytes[field] = kept = new byte[Math.Max(bytes.Length, 64)];
        bytes.CopyTo(kept);
        _lengths[field] = bytes.Length;
        _counts[field] = count;
    }
}
