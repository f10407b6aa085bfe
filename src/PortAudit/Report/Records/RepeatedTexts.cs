namespace PortAudit.Report.Records;

/// <summary>
/// The bytes a record formatter last wrote for each text field, with the strings they came from. Consecutive records
/// repeat most of their texts (a role pair's host names and roles, the verdict, the application), and comparing the
/// references of the strings costs less than scanning the text for escapes and transcoding it again. Strings are
/// immutable, so the same references always make the same bytes; a list is compared item by item, not as an object.
/// </summary>
internal sealed class RepeatedTexts
{
    private readonly Entry[] _fields;

    /// <summary>Keeps one text per field of a record of <paramref name="fields"/> fields.</summary>
    public RepeatedTexts(int fields)
    {
        _fields = new Entry[fields];
        for (int i = 0; i < fields; i++) _fields[i] = new Entry();
    }

    /// <summary>The bytes last written for <paramref name="field"/>, when they came from <paramref name="value"/> itself.</summary>
    public bool TryGet(int field, string value, out ReadOnlySpan<byte> bytes)
    {
        var entry = _fields[field];
        bool same = !entry.List && entry.Count == 1 && ReferenceEquals(entry.Sources[0], value);
        bytes = same ? entry.Written : default;
        return same;
    }

    /// <summary>The bytes last written for <paramref name="field"/>, when they came from the same strings in the same order.</summary>
    public bool TryGet(int field, IReadOnlyList<string> values, out ReadOnlySpan<byte> bytes)
    {
        var entry = _fields[field];
        bytes = default;
        if (!entry.List || entry.Count != values.Count) return false;
        for (int i = 0; i < values.Count; i++)
            if (!ReferenceEquals(entry.Sources[i], values[i])) return false;
        bytes = entry.Written;
        return true;
    }

    /// <summary>Remembers <paramref name="bytes"/> as what <paramref name="value"/> makes in <paramref name="field"/>.</summary>
    public void Remember(int field, string value, ReadOnlySpan<byte> bytes) => _fields[field].Keep(value, bytes);

    /// <summary>Remembers <paramref name="bytes"/> as what <paramref name="values"/> make in <paramref name="field"/>.</summary>
    public void Remember(int field, IReadOnlyList<string> values, ReadOnlySpan<byte> bytes) => _fields[field].Keep(values, bytes);

    /// <summary>One field's last text: its strings (none kept until it is first written) and the bytes they made.</summary>
    private sealed class Entry
    {
        private byte[] _bytes = [];
        private int _length;

        public string[] Sources { get; private set; } = [];
        public int Count { get; private set; } = -1;
        public bool List { get; private set; }
        public ReadOnlySpan<byte> Written => _bytes.AsSpan(0, _length);

        public void Keep(string value, ReadOnlySpan<byte> bytes)
        {
            Room(1)[0] = value;
            Keep(1, list: false, bytes);
        }

        public void Keep(IReadOnlyList<string> values, ReadOnlySpan<byte> bytes)
        {
            var sources = Room(values.Count);
            for (int i = 0; i < values.Count; i++) sources[i] = values[i];
            Keep(values.Count, list: true, bytes);
        }

        private string[] Room(int count)
        {
            if (Sources.Length < count) Sources = new string[Math.Max(count, 4)];
            return Sources;
        }

        private void Keep(int count, bool list, ReadOnlySpan<byte> bytes)
        {
            if (_bytes.Length < bytes.Length) _bytes = new byte[Math.Max(bytes.Length, 64)];
            bytes.CopyTo(_bytes);
            _length = bytes.Length;
            Count = count;
            List = list;
        }
    }
}
