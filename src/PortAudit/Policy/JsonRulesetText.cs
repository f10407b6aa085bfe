using System.Globalization;
using System.Text.Json;
using PortAudit.Common;

namespace PortAudit.Policy;

/// <summary>
/// The check the JSON ruleset readers (<see cref="NftJsonParser"/>, <see cref="WindowsJsonParser"/>) make before they read:
/// every string and property name must unescape to valid UTF-16. A lone surrogate escape (<c>"\ud800"</c>) is valid JSON
/// syntax but no text; System.Text.Json throws out of every accessor on it (issue 43: a stack trace and exit 1). A ruleset
/// is not a log to read past: it is refused, naming file, line and column.
/// </summary>
internal static class JsonRulesetText
{
    /// <summary>Reads <paramref name="utf8"/> through; JSON syntax errors are left to the caller's parse (a <see cref="JsonException"/>).</summary>
    /// <exception cref="InputException">A string or property name holds an unpaired surrogate escape.</exception>
    /// <exception cref="JsonException">Not JSON.</exception>
    public static void RefuseLoneSurrogates(ReadOnlySpan<byte> utf8, string file)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        while (reader.Read())
        {
            if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName) || !reader.ValueIsEscaped) continue;
            try
            {
                reader.GetString();
            }
            catch (InvalidOperationException e)
            {
                int start = (int)reader.TokenStartIndex;
                var before = utf8[..start];
                int line = before.Count((byte)'\n') + 1;
                int column = start - before.LastIndexOf((byte)'\n');
                throw new InputException(string.Create(CultureInfo.InvariantCulture,
                    $"{file}:{line}:{column}: a {(reader.TokenType == JsonTokenType.String ? "string" : "property name")} holds a lone UTF-16 surrogate escape (\\uD800-\\uDFFF without its pair), which is no text ({e.Message})"), e);
            }
        }
    }
}
