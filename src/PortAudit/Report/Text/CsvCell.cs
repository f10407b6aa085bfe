using System.Buffers;

namespace PortAudit.Report.Text;

/// <summary>
/// One RFC 4180 cell, neutralised for spreadsheets: a cell that would start a formula (<c>= + - @</c>, or a tab or CR
/// before them) is quoted and prefixed with <c>'</c> (OWASP's CSV injection advice), and control and bidi characters
/// other than line breaks and tabs are written as <c>\u202E</c>-style text. Packet text reaches these cells.
/// </summary>
public static class CsvCell
{
    private static readonly SearchValues<char> Special = SearchValues.Create(",\"\r\n");
    private static readonly SearchValues<char> FormulaStart = SearchValues.Create("=+-@\t\r");

    /// <summary>Writes <paramref name="value"/> as one cell, quoted only where it must be.</summary>
    public static void Write(TextWriter writer, ReadOnlySpan<char> value)
    {
        bool formula = value.Length > 0 && FormulaStart.Contains(value[0]);
        if (!formula && value.IndexOfAny(Special) < 0 && !OutsideText.HasActive(value))
        {
            writer.Write(value);
            return;
        }
        bool quoted = formula || value.IndexOfAny(Special) >= 0;
        if (quoted) writer.Write('"');
        // Inside the RFC 4180 quotes, as a spreadsheet strips those first.
        if (formula) writer.Write('\'');
        Span<char> visible = stackalloc char[6];
        foreach (char c in value)
        {
            if (c == '"') writer.Write('"');
            // Line breaks and tabs are data inside quotes; other controls and bidi controls would act in a viewer.
            if (c is not ('\r' or '\n' or '\t') && OutsideText.IsActive(c)) writer.Write(visible[..OutsideText.FormatVisible(c, visible)]);
            else writer.Write(c);
        }
        if (quoted) writer.Write('"');
    }
}
