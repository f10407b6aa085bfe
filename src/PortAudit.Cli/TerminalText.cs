using PortAudit.Report.Text;
using Serilog.Events;
using Serilog.Formatting;

namespace PortAudit.Cli;

/// <summary>
/// What reaches the terminal from outside (file names, packet text, record fields) shows its control and bidi
/// characters as escapes (<see cref="OutsideText.Terminal"/>), as the reports do: an escape sequence in a file name
/// is printed, never obeyed.
/// </summary>
public static class TerminalText
{
    /// <summary>Writes <paramref name="line"/> to standard error, escaped, then a newline.</summary>
    public static void Error(string line) => Console.Error.WriteLine(OutsideText.Terminal(line));

    /// <summary>
    /// Writes <paramref name="text"/>, a message that is a list (a catalog's or an inventory's problems, one per line), to
    /// standard error with each line escaped and the line breaks kept.
    /// </summary>
    public static void ErrorLines(string text) => Console.Error.WriteLine(Lines(text));

    /// <summary>Each line of <paramref name="text"/> escaped, the line breaks kept.</summary>
    public static string Lines(string text) =>
        OutsideText.HasActive(text) ? string.Join('\n', text.Split('\n').Select(line => OutsideText.Terminal(line.TrimEnd('\r')))) : text;

    /// <summary>A log formatter for the console: <paramref name="inner"/>'s text with every line escaped.</summary>
    public static ITextFormatter Formatter(ITextFormatter inner) => new EscapingFormatter(inner);

    private sealed class EscapingFormatter(ITextFormatter inner) : ITextFormatter
    {
        public void Format(LogEvent logEvent, TextWriter output)
        {
            var text = new StringWriter();
            inner.Format(logEvent, text);
            output.Write(Lines(text.ToString()));
        }
    }
}
