using System.Text;
using PortAudit.Flows.Facts;
using PortAudit.Tests.Scenarios;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// FTP's AUTH TLS (RFC 4217) read by the control connection's follower: after the server's 234 its side is TLS, and the
/// version its hello chose is judged as on a TLS port; a refused AUTH leaves the connection in clear text, its later
/// commands and replies read as before (a passive data connection still announced).
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class FtpAuthTlsTests
{
    private static byte[] Text(string text) => Encoding.ASCII.GetBytes(text);

    // A ServerHello record of the version given (hex), no session id and no extension.
    private static byte[] ServerHello(string version) =>
        [.. InspectorHarness.Hex("16 0301 002a 02 000026"), .. InspectorHarness.Hex(version), .. new byte[32], .. InspectorHarness.Hex("00 c02f 00")];

    private static IEnumerable<SessionMessage> Upgraded(string version) =>
    [
        new(0.01, false, Text("220 ProFTPD Server ready\r\n")),
        new(0.02, true, Text("AUTH TLS\r\n")),
        new(0.03, false, Text("234 AUTH TLS successful\r\n")),
        new(0.04, true, InspectorHarness.Hex("16 0301 0005 01 000001 03")),
        new(0.05, false, ServerHello(version)),
    ];

    [Theory]
    [InlineData("0301", "starttls; version=tls1.0", FlowWeakness.TlsDeprecated)]
    [InlineData("0303", "starttls; version=tls1.2", FlowWeakness.None)]
    public void The_version_an_ftp_server_chose_after_auth_tls_is_read(string version, string detail, FlowWeakness weakness)
    {
        var capture = new ScenarioCapture("ftps", 1_700_000_000).TcpSession("10.0.0.5", "10.0.0.21", 21, 1, Upgraded(version));

        var control = Assert.Single(InspectTestData.Inspect(capture.Build()), f => f.ServerPort == 21);

        Assert.Equal((AppLabel.Ftp, detail, weakness), (control.App, control.AppDetail?.ToString(), control.Weakness));
    }

    [Fact]
    public void A_refused_auth_leaves_the_connection_read_as_clear_text()
    {
        var capture = new ScenarioCapture("ftp", 1_700_000_000).TcpSession("10.0.0.5", "10.0.0.21", 21, 1,
        [
            new(0.01, false, Text("220 ProFTPD Server ready\r\n")),
            new(0.02, true, Text("AUTH TLS\r\n")),
            new(0.03, false, Text("534 Request denied for policy reasons\r\n")),
            new(0.04, true, Text("USER anonymous\r\n")),
            new(0.05, false, Text("331 Password required\r\n")),
            new(0.06, true, Text("PASV\r\n")),
            new(0.07, false, Text("227 Entering Passive Mode (10,0,0,21,195,80).\r\n")),
        ]);
        capture.TcpSession("10.0.0.5", "10.0.0.21", 50000, 1.2, [new(0.01, false, Text("listing\r\n"))]);

        var flows = InspectTestData.Inspect(capture.Build());

        var control = Assert.Single(flows, f => f.ServerPort == 21);
        Assert.Equal(("starttls", FlowWeakness.None), (control.AppDetail?.ToString(), control.Weakness));
        Assert.Equal(AppLabel.FtpData, Assert.Single(flows, f => f.ServerPort == 50000).App);
    }
}
