namespace PortAudit.Report.Plot;

/// <summary>
/// Reads a document written in a strict subset of XML, one start tag at a time, for <see cref="SvgSafety"/>. It stands
/// in for an XML parser because loading System.Xml and building a DOM was most of the cost of writing report.html on a
/// small capture (issue 15). The subset is what a plotting library writes: one root element, attributes quoted,
/// entity and character references, comments and CDATA sections, an XML declaration at the very start. Anything else
/// (a DOCTYPE, processing instructions, non-ASCII names, undeclared prefixes, a stray '&lt;' or '&amp;') is
/// rejected as not well-formed, so the subset only ever refuses more than XML does.
/// </summary>
internal sealed class StrictMarkupReader
{
    private readonly string _text;
    private readonly Stack<string> _open = new();
    // Prefixes declared by xmlns:p attributes, with the depth of the element that declared them.
    // Plain lists of strings: generic code over value types would be JIT-compiled at every start (see docs/performance.md).
    private readonly List<string> _prefixes = [];
    private readonly List<int> _prefixDepths = [];
    private readonly List<string> _names = [], _values = [];
    private readonly System.Text.StringBuilder _value = new();
    private int _at;
    private bool _rootSeen;

    /// <summary>Starts before the first character of <paramref name="text"/>.</summary>
    public StrictMarkupReader(string text) => _text = text;

    /// <summary>Why the document is not well-formed (with the offset), once <see cref="Read"/> has returned false; null when it is.</summary>
    public string? Error { get; private set; }

    /// <summary>Local name (after any prefix) of the element whose start tag <see cref="Read"/> stopped at.</summary>
    public string LocalName { get; private set; } = "";

    /// <summary>Local names of the attributes of that start tag.</summary>
    public IReadOnlyList<string> AttributeNames => _names;

    /// <summary>Values of those attributes, in the same order, with references resolved and white space normalised as XML does.</summary>
    public IReadOnlyList<string> AttributeValues => _values;

    /// <summary>Advances to the next start tag; false at the end of the document or at the first error (see <see cref="Error"/>).</summary>
    public bool Read()
    {
        if (Error is not null) return false;
        if (_at == 0 && _text.StartsWith("<?xml", StringComparison.Ordinal) && !SkipDeclaration()) return false;
        while (_at < _text.Length)
        {
            char c = _text[_at];
            if (c == '<')
            {
                if (Next("<!--")) { if (!SkipComment()) return false; continue; }
                if (Next("<![CDATA[")) { if (!SkipCData()) return false; continue; }
                if (Next("</")) { if (!ReadEndTag()) return false; continue; }
                return ReadStartTag();
            }
            if (_open.Count == 0 && !IsSpace(c)) return Fail(_rootSeen ? "content after the root element" : "text before the root element");
            if (c == '&') { if (ReadReference() is null) return false; continue; }
            if (c == '>' && _at >= 2 && _text[_at - 1] == ']' && _text[_at - 2] == ']') return Fail("']]>' in text");
            if (!IsXmlChar(c) && !IsSurrogatePair(_at)) return Fail($"character U+{(int)c:X4} is not allowed");
            _at += char.IsHighSurrogate(c) ? 2 : 1;
        }
        if (!_rootSeen) return Fail("no root element");
        if (_open.Count > 0) return Fail($"<{_open.Peek()}> is not closed");
        return false;
    }

    private bool ReadStartTag()
    {
        if (_rootSeen && _open.Count == 0) return Fail("a second root element");
        int start = _at++;
        if (ReadName() is not { } name) return false;
        _names.Clear();
        _values.Clear();
        int depth = _open.Count + 1;
        while (true)
        {
            bool spaced = SkipSpace();
            if (_at >= _text.Length) return Fail("unterminated start tag", start);
            if (Next("/>") || _text[_at] == '>') break;
            if (!spaced) return Fail("expected white space between attributes");
            if (ReadName() is not { } attribute) return false;
            if (_names.Contains(attribute)) return Fail($"attribute '{attribute}' appears twice");
            SkipSpace();
            if (!Next("=")) return Fail($"expected '=' after '{attribute}'");
            _at++;
            SkipSpace();
            if (ReadQuoted() is not { } value) return false;
            if (attribute.StartsWith("xmlns:", StringComparison.Ordinal))
            {
                _prefixes.Add(attribute[6..]);
                _prefixDepths.Add(depth);
            }
            _names.Add(attribute);
            _values.Add(value);
        }
        bool empty = _text[_at] == '/';
        _at += empty ? 2 : 1;
        if (!PrefixDeclared(name)) return false;
        for (int i = 0; i < _names.Count; i++)
        {
            string attribute = _names[i];
            if (attribute != "xmlns" && !attribute.StartsWith("xmlns:", StringComparison.Ordinal) && !PrefixDeclared(attribute)) return false;
            _names[i] = Local(attribute);
        }
        _rootSeen = true;
        LocalName = Local(name);
        if (empty) ForgetPrefixes(depth);
        else _open.Push(name);
        return true;
    }

    private bool ReadEndTag()
    {
        int start = _at;
        _at += 2;
        if (ReadName() is not { } name) return false;
        SkipSpace();
        if (!Next(">")) return Fail("unterminated end tag", start);
        _at++;
        if (_open.Count == 0 || _open.Peek() != name)
            return Fail(_open.Count == 0 ? $"</{name}> closes nothing" : $"</{name}> closes <{_open.Peek()}>", start);
        ForgetPrefixes(_open.Count);
        _open.Pop();
        return true;
    }

    // Names are ASCII: a letter or '_', then letters, digits, '-', '.', '_', with at most one ':' between two parts.
    private string? ReadName()
    {
        int start = _at;
        if (_at >= _text.Length || !(char.IsAsciiLetter(_text[_at]) || _text[_at] == '_')) { Fail("expected a name"); return null; }
        int colons = 0;
        while (_at < _text.Length && (char.IsAsciiLetterOrDigit(_text[_at]) || _text[_at] is '-' or '.' or '_' or ':'))
        {
            if (_text[_at] == ':' && (++colons > 1 || _at + 1 >= _text.Length || !(char.IsAsciiLetter(_text[_at + 1]) || _text[_at + 1] == '_')))
            {
                Fail("malformed qualified name", start);
                return null;
            }
            _at++;
        }
        return _text[start.._at];
    }

    private string? ReadQuoted()
    {
        if (_at >= _text.Length || _text[_at] is not ('"' or '\''))
        {
            Fail("expected a quoted attribute value");
            return null;
        }
        char quote = _text[_at++];
        var value = _value.Clear();
        while (_at < _text.Length && _text[_at] != quote)
        {
            char c = _text[_at];
            if (c == '<') { Fail("'<' in an attribute value"); return null; }
            if (c == '&')
            {
                if (ReadReference() is not { } resolved) return null;
                value.Append(resolved);
                continue;
            }
            if (!IsXmlChar(c) && !IsSurrogatePair(_at)) { Fail($"character U+{(int)c:X4} is not allowed"); return null; }
            // Attribute-value normalisation: each literal white-space character (a CR LF pair counting once) is a space.
            if (c == '\r' && _at + 1 < _text.Length && _text[_at + 1] == '\n') _at++;
            value.Append(c is '\t' or '\n' or '\r' ? ' ' : c);
            _at++;
        }
        if (_at >= _text.Length) { Fail("unterminated attribute value"); return null; }
        _at++;
        return value.ToString();
    }

    // The five predefined entities and character references; the text it stands for, or null after failing.
    private string? ReadReference()
    {
        int start = _at;
        int end = _text.IndexOf(';', _at);
        if (end < 0 || end - _at > 12) { Fail("'&' does not start a reference"); return null; }
        string body = _text[(_at + 1)..end];
        _at = end + 1;
        switch (body)
        {
            case "lt": return "<";
            case "gt": return ">";
            case "amp": return "&";
            case "quot": return "\"";
            case "apos": return "'";
        }
        bool hex = body.StartsWith("#x", StringComparison.Ordinal);
        string digits = hex ? body[2..] : body.StartsWith('#') ? body[1..] : "";
        if (digits.Length > 0 && int.TryParse(digits, hex ? System.Globalization.NumberStyles.AllowHexSpecifier : System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out int code)
            && code is 0x9 or 0xA or 0xD or >= 0x20 and <= 0xD7FF or >= 0xE000 and <= 0xFFFD or >= 0x10000 and <= 0x10FFFF)
            return char.ConvertFromUtf32(code);
        Fail($"'&{body};' is not a predefined entity or a valid character reference", start);
        return null;
    }

    private bool SkipDeclaration()
    {
        int end = _text.IndexOf("?>", StringComparison.Ordinal);
        if (end < 0 || _text.Length < 6 || !IsSpace(_text[5])) return Fail("malformed XML declaration", 0);
        _at = end + 2;
        return true;
    }

    private bool SkipComment()
    {
        int start = _at;
        int end = _text.IndexOf("--", _at + 4, StringComparison.Ordinal);
        if (end < 0 || end + 2 >= _text.Length || _text[end + 2] != '>') return Fail("malformed comment", start);
        _at = end + 3;
        return true;
    }

    private bool SkipCData()
    {
        int start = _at;
        if (_open.Count == 0) return Fail("CDATA outside the root element");
        int end = _text.IndexOf("]]>", _at, StringComparison.Ordinal);
        if (end < 0) return Fail("unterminated CDATA section", start);
        for (int i = _at; i < end; i++)
            if (!IsXmlChar(_text[i]) && !IsSurrogatePair(i) && !(i > 0 && IsSurrogatePair(i - 1)))
                return Fail($"character U+{(int)_text[i]:X4} is not allowed", i);
        _at = end + 3;
        return true;
    }

    // Every prefix in the list is in scope: those of elements already closed were forgotten.
    private bool PrefixDeclared(string name)
    {
        int colon = name.IndexOf(':');
        if (colon < 0) return true;
        string prefix = name[..colon];
        return prefix == "xml" || _prefixes.Contains(prefix) || Fail($"'{prefix}' is an undeclared prefix");
    }

    private void ForgetPrefixes(int depth)
    {
        while (_prefixDepths.Count > 0 && _prefixDepths[^1] >= depth)
        {
            _prefixDepths.RemoveAt(_prefixDepths.Count - 1);
            _prefixes.RemoveAt(_prefixes.Count - 1);
        }
    }

    private static string Local(string name) => name[(name.IndexOf(':') + 1)..];

    private bool Next(string what) => string.CompareOrdinal(_text, _at, what, 0, what.Length) == 0;

    private bool SkipSpace()
    {
        int start = _at;
        while (_at < _text.Length && IsSpace(_text[_at])) _at++;
        return _at > start;
    }

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\r';

    private static bool IsXmlChar(char c) => c is '\t' or '\n' or '\r' or >= ' ' and <= '\uD7FF' or >= '\uE000' and <= '\uFFFD';

    private bool IsSurrogatePair(int i) =>
        char.IsHighSurrogate(_text[i]) && i + 1 < _text.Length && char.IsLowSurrogate(_text[i + 1]);

    private bool Fail(string why, int? at = null)
    {
        Error ??= $"{why} (at offset {at ?? _at})";
        return false;
    }
}
