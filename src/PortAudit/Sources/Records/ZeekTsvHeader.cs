using System.Globalization;
using System.Text;

namespace PortAudit.Sources.Records;

/// <summary>
/// The header lines of a Zeek TSV log (<c>#separator</c>, its value \x-escaped; <c>#unset_field</c>,
/// <c>#empty_field</c>, <c>#path</c> and the <c>#fields</c> naming the columns), which apply to the lines after them; a
/// file may hold several headers (logs concatenated). Read by the conn.log reader and by the reader of the logs that name
/// a connection's server (ssl.log, http.log), so that both see one header alike.
/// </summary>
internal sealed class ZeekTsvHeader
{
    /// <summary>What separates the columns of the lines under this header.</summary>
    public char Separator { get; private set; } = '\t';

    /// <summary>What a column holds when its value is unset.</summary>
    public string Unset { get; private set; } = "-";

    /// <summary>What a column holds when its value is an empty set or text.</summary>
    public string Empty { get; private set; } = "(empty)";

    /// <summary>The log's name (<c>conn</c>, <c>ssl</c>, <c>dns</c>...), null until a <c>#path</c> line named it.</summary>
    public string? Path { get; private set; }

    /// <summary>The columns' names from the last <c>#fields</c> line; null before one.</summary>
    public string[]? Fields { get; private set; }

    /// <summary>True when the values under this header are unset or empty as it says.</summary>
    public bool IsNone(ReadOnlySpan<char> value) => value.SequenceEqual(Unset) || value.SequenceEqual(Empty);

    /// <summary>
    /// Takes one header line (it starts with '#'); returns why it cannot be used, or null. <paramref name="fieldsChanged"/>
    /// is set when it was a <c>#fields</c> line.
    /// </summary>
    public string? Take(string line, out bool fieldsChanged)
    {
        fieldsChanged = false;
        // #separator is followed by a space, the others by the separator itself. It opens a log's header: the log's
        // name is the next #path's.
        if (line.StartsWith("#separator ", StringComparison.Ordinal))
        {
            var value = Unescape(line.AsSpan("#separator ".Length).Trim());
            if (value.Length != 1) return $"#separator '{RecordFields.Clip(value)}' is not one character";
            Separator = value[0];
            Path = null;
            return null;
        }
        var rest = line.AsSpan(1);
        int split = rest.IndexOf(Separator);
        if (split < 0) return null;
        var key = rest[..split];
        var value2 = rest[(split + 1)..];
        if (key.SequenceEqual("unset_field")) Unset = value2.ToString();
        else if (key.SequenceEqual("empty_field")) Empty = value2.ToString();
        else if (key.SequenceEqual("path")) Path = value2.ToString();
        else if (key.SequenceEqual("fields"))
        {
            var names = new List<string>();
            foreach (var range in value2.Split(Separator)) names.Add(value2[range].ToString());
            Fields = names.ToArray();
            fieldsChanged = true;
        }
        return null;
    }

    /// <summary>
    /// Zeek's \xHH escapes (a separator or a control character inside a value) back to characters; with
    /// <paramref name="ours"/>, also what our TsvFlowWriter escapes besides: a backslash as \\, a bidi control as \uXXXX.
    /// </summary>
    public static string Unescape(ReadOnlySpan<char> value, bool ours = false)
    {
        var text = new StringBuilder(value.Length);
        for (int i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 3 < value.Length && value[i + 1] == 'x'
                && int.TryParse(value.Slice(i + 2, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code))
            {
                text.Append((char)code);
                i += 3;
            }
            else if (ours && value[i] == '\\' && i + 1 < value.Length && value[i + 1] == '\\')
            {
                text.Append('\\');
                i++;
            }
            else if (ours && value[i] == '\\' && i + 5 < value.Length && value[i + 1] == 'u'
                && int.TryParse(value.Slice(i + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int unit))
            {
                text.Append((char)unit);
                i += 5;
            }
            else text.Append(value[i]);
        }
        return text.ToString();
    }
}
