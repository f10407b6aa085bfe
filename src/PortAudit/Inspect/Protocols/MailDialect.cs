using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Protocols;

/// <summary>
/// How one of the line-based mail, news and file-transfer protocols opens: the server greeting, the client's first commands, and
/// the command that upgrades to TLS. <see cref="MailInspector"/> reads all of them the same way.
/// </summary>
/// <param name="Label">The label.</param>
/// <param name="Order">The place among the start-line inspectors (see <see cref="InspectorDescriptor.Order"/>).</param>
/// <param name="Ports">Usual ports (hint only).</param>
/// <param name="Greetings">Prefixes of the server's first line.</param>
/// <param name="GreetingKeyword">A word the greeting must contain to be sure on its own (null: the prefix suffices).</param>
/// <param name="Commands">Prefixes of the client's first line (after the tag when <paramref name="Tagged"/>).</param>
/// <param name="Tagged">True when client commands start with a tag (IMAP).</param>
/// <param name="StartTls">The TLS upgrade command.</param>
public sealed record MailDialect(AppLabel Label, int Order, ushort[] Ports, string[] Greetings, string? GreetingKeyword, string[] Commands, bool Tagged, string StartTls)
{
    /// <summary>SMTP (RFC 5321, RFC 3207).</summary>
    public static readonly MailDialect Smtp = new(AppLabel.Smtp, 30, new ushort[] { 25, 587, 2525 }, new[] { "220 ", "220-" }, "SMTP",
        new[] { "EHLO ", "HELO " }, false, "STARTTLS");

    /// <summary>POP3 (RFC 1939, RFC 2595).</summary>
    public static readonly MailDialect Pop3 = new(AppLabel.Pop3, 31, new ushort[] { 110 }, new[] { "+OK" }, null,
        new[] { "USER ", "CAPA", "APOP ", "STLS", "AUTH " }, false, "STLS");

    /// <summary>IMAP (RFC 9051), whose lines have no length bound (RFC 9051 4): a greeting's CAPABILITY list may run past 1 KB.</summary>
    public static readonly MailDialect Imap = new(AppLabel.Imap, 32, new ushort[] { 143 }, new[] { "* OK", "* PREAUTH", "* BYE" }, null,
        new[] { "CAPABILITY", "LOGIN ", "AUTHENTICATE ", "STARTTLS", "ID ", "NOOP" }, true, "STARTTLS") { MaxLineLength = int.MaxValue };

    /// <summary>NNTP (RFC 3977, RFC 4642).</summary>
    public static readonly MailDialect Nntp = new(AppLabel.Nntp, 33, new ushort[] { 119, 433 }, new[] { "200 ", "201 " }, "NNTP",
        new[] { "MODE READER", "CAPABILITIES", "GROUP ", "LIST", "ARTICLE", "AUTHINFO ", "POST", "XOVER", "STARTTLS" }, false, "STARTTLS");

    /// <summary>
    /// FTP control (RFC 959, RFC 4217): a "220" greeting that names FTP claims alone (ProFTPD, vsFTPd, FileZilla...);
    /// a bare one together with a login or feature command, which no other dialect here opens with.
    /// </summary>
    public static readonly MailDialect Ftp = new(AppLabel.Ftp, 34, new ushort[] { 21 }, new[] { "220 ", "220-" }, "FTP",
        new[] { "USER ", "AUTH ", "FEAT", "SYST", "OPTS ", "PASS " }, false, "AUTH TLS") { FollowedAfterClaim = true, AlsoProduces = [AppLabel.FtpData] };

    /// <summary>
    /// Bytes a side's first line may run to before its end is seen: beyond them, text with no line end is no greeting or
    /// command of the dialect. 512, the bound SMTP, POP3 and NNTP set on a reply line (RFC 5321 4.5.3.1.5, RFC 1939 3,
    /// RFC 3977 3.1); a dialect with none waits to the inspection's limits.
    /// </summary>
    public int MaxLineLength { get; init; } = 512;

    /// <summary>Labels the dialect's follower gives other flows (FTP's announced data connections).</summary>
    public AppLabel[] AlsoProduces { get; init; } = [];

    /// <summary>
    /// True when the claim ends inspection at once: a follower reads the rest (FTP's announced data connections come
    /// within the first packets, before the inspection limits would end the claim).
    /// </summary>
    public bool FollowedAfterClaim { get; init; }
}
