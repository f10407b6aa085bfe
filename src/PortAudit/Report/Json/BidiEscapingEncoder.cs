using System.Text.Encodings.Web;
using PortAudit.Report.Text;

namespace PortAudit.Report.Json;

/// <summary>
/// The relaxed JSON encoder, but bidi controls (U+202E and its kin, <see cref="OutsideText.IsBidi"/>) are escaped as
/// <c>\u202E</c>: the relaxed encoder writes them raw, and a raw override reorders what a person reading the document
/// sees. Controls are escaped by the relaxed encoder already.
/// </summary>
internal sealed class BidiEscapingEncoder : JavaScriptEncoder
{
    private static readonly JavaScriptEncoder Relaxed = UnsafeRelaxedJsonEscaping;

    /// <summary>The one instance.</summary>
    public static readonly BidiEscapingEncoder Instance = new();

    private BidiEscapingEncoder() { }

    public override int MaxOutputCharactersPerInputCharacter => Math.Max(Relaxed.MaxOutputCharactersPerInputCharacter, 6);

    public override bool WillEncode(int unicodeScalar) => IsBidi(unicodeScalar) || Relaxed.WillEncode(unicodeScalar);

    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength)
    {
        int relaxed = Relaxed.FindFirstCharacterToEncode(text, textLength);
        int bidi = OutsideText.IndexOfBidi(new ReadOnlySpan<char>(text, relaxed < 0 ? textLength : relaxed));
        return bidi >= 0 ? bidi : relaxed;
    }

    public override int FindFirstCharacterToEncodeUtf8(ReadOnlySpan<byte> utf8Text)
    {
        int relaxed = Relaxed.FindFirstCharacterToEncodeUtf8(utf8Text);
        var span = relaxed < 0 ? utf8Text : utf8Text[..relaxed];
        // Every bidi control is 2 (U+061C) or 3 bytes in UTF-8, led by 0xD8 or 0xE2.
        for (int i = span.IndexOfAny((byte)0xD8, (byte)0xE2); i >= 0 && i < span.Length; i++)
        {
            if (span[i] is not (0xD8 or 0xE2)) continue;
            if (System.Text.Rune.DecodeFromUtf8(span[i..], out var rune, out _) == System.Buffers.OperationStatus.Done && IsBidi(rune.Value))
                return i;
        }
        return relaxed;
    }

    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten)
    {
        if (!IsBidi(unicodeScalar))
            return Relaxed.TryEncodeUnicodeScalar(unicodeScalar, buffer, bufferLength, out numberOfCharactersWritten);
        numberOfCharactersWritten = 0;
        if (bufferLength < 6) return false;
        numberOfCharactersWritten = OutsideText.FormatVisible((char)unicodeScalar, new Span<char>(buffer, bufferLength));
        return true;
    }

    private static bool IsBidi(int scalar) => scalar <= char.MaxValue && OutsideText.IsBidi((char)scalar);
}
