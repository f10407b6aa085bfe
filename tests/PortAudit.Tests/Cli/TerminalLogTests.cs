using PortAudit.Cli;
using Serilog.Events;
using Serilog.Formatting.Display;
using Serilog.Parsing;

namespace PortAudit.Tests.Cli;

/// <summary>
/// Warnings on the terminal (issue 43: "the raw ESC byte reaches the terminal on stderr, also from packet text in
/// warnings"): text a packet or record carried into a log event is shown with its control bytes escaped.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class TerminalLogTests
{
    [Fact]
    public void A_warning_carrying_packet_text_with_escape_sequences_reaches_the_terminal_escaped()
    {
        var template = new MessageTemplateParser().Parse("rejected record: {Problem}");
        var problem = new LogEventProperty("Problem", new ScalarValue("line 3: user agent \u001b]0;pwned\u0007\u001b[2J"));
        var warning = new LogEvent(DateTimeOffset.UnixEpoch, LogEventLevel.Warning, null, template, [problem]);
        var terminal = new StringWriter();

        TerminalText.Formatter(new MessageTemplateTextFormatter("portaudit: {Level:u3} {Message:lj}{NewLine}")).Format(warning, terminal);

        string shown = terminal.ToString();
        Assert.StartsWith("portaudit: WRN rejected record: line 3: user agent ", shown);
        Assert.DoesNotContain('\u001b', shown);
        Assert.DoesNotContain('\u0007', shown);
        Assert.Contains("pwned", shown);
    }
}
