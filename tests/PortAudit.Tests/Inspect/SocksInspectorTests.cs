using PortAudit.Audit;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Inspect.Protocols;
using PortAudit.Tests.Builders;
using PortAudit.Tests.Scenarios;
using static PortAudit.Tests.Inspect.InspectorHarness;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// SOCKS 4, 4a and 5, a proxy through whatever port it listens on: claimed by the server's answer to the client's
/// opening, its destination read from the client's request, and a mismatch on a port allowed for anything else.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class SocksInspectorTests
{
    // RFC 1928: the greeting with its methods, the server's choice, the request for a domain name or an IPv4 address.
    private static readonly byte[] Greeting = TunnelMessages.SocksGreeting;
    private static byte[] Choice(byte method) => TunnelMessages.SocksChoice(method);
    private static byte[] DomainRequest(string host, ushort port) => TunnelMessages.SocksConnect(host, port);
    private static readonly byte[] Ipv4Request = [5, 1, 0, 1, 192, 0, 2, 7, 0, 22];
    private static readonly byte[] Ipv6Request = [5, 3, 0, 4, 0x20, 0x01, 0x0d, 0xb8, .. new byte[11], 1, 0x13, 0x88];
    // RFC 1929: version 1, username, password.
    private static readonly byte[] Password = [1, 5, .. "alice"u8, 6, .. "s3cret"u8];
    private static readonly byte[] Succeeded = TunnelMessages.SocksSucceeded;

    // Version 4: connect to 192.0.2.7:22 as user "bob"; 4a: to a domain name after the user ID; the 8-byte reply.
    private static readonly byte[] Socks4 = [4, 1, 0, 22, 192, 0, 2, 7, .. "bob"u8, 0];
    private static readonly byte[] Socks4a = [4, 1, 1, 187, 0, 0, 0, 1, 0, .. "pastebin.com"u8, 0];
    private static byte[] Reply4(byte code) => [0, code, 0, 0, 0, 0, 0, 0];

    private static (InspectResult Result, string? Detail) Socks(params (bool FromClient, byte[] Data)[] turns) =>
        Converse(new SocksInspector(), true, 443, turns);

    [Fact]
    public void Version5IsClaimedByTheServersChoiceAndNamesTheDestination()
    {
        Assert.Equal((InspectResult.NeedMore, null), Socks((true, Greeting)));
        Assert.Equal((InspectResult.Partial, "version=5; auth=none"), Socks((true, Greeting), (false, Choice(0))));
        // The client's side is shown from its start each time: the request follows the greeting.
        Assert.Equal((InspectResult.Match, "version=5; auth=none; connect=pastebin.com:443"),
            Socks((true, Greeting), (false, Choice(0)), (true, [.. Greeting, .. DomainRequest("pastebin.com", 443)])));
        Assert.Equal((InspectResult.Match, "version=5; auth=none; connect=192.0.2.7:22"),
            Socks((true, Greeting), (false, Choice(0)), (true, [.. Greeting, .. Ipv4Request])));
        Assert.Equal((InspectResult.Match, "version=5; auth=none; udp-associate=[2001:db8::1]:5000"),
            Socks((true, Greeting), (false, Choice(0)), (true, [.. Greeting, .. Ipv6Request])));
        // After a username and password, which are skipped and never kept.
        var (result, detail) = Socks((true, Greeting), (false, [.. Choice(2), 1, 0, .. Succeeded]), (true, [.. Greeting, .. Password, .. Ipv4Request]));
        Assert.Equal((InspectResult.Match, "version=5; auth=password; connect=192.0.2.7:22"), (result, detail));
        Assert.DoesNotContain("alice", detail);
        // A server that accepts none of the methods is SOCKS too; no request follows.
        Assert.Equal((InspectResult.Match, "version=5; auth=refused"), Socks((true, Greeting), (false, Choice(0xFF))));
    }

    [Fact]
    public void Version4And4aAreClaimedByTheReplyAndNameTheDestination()
    {
        Assert.Equal((InspectResult.NeedMore, null), Socks((true, Socks4)));
        Assert.Equal((InspectResult.Partial, "version=4; reply=granted"), Socks((true, Socks4), (false, Reply4(90))));
        Assert.Equal((InspectResult.Match, "version=4; reply=granted; connect=192.0.2.7:22"),
            Socks((true, Socks4), (false, Reply4(90)), (true, [.. Socks4, .. "SSH-2.0-x\r\n"u8])));
        Assert.Equal((InspectResult.Match, "version=4; reply=rejected; connect=pastebin.com:443"),
            Socks((true, Socks4a), (false, Reply4(91)), (true, Socks4a)));
    }

    [Fact]
    public void WhatOnlyLooksLikeSocksIsNotClaimed()
    {
        // A method the client did not offer, another version in the answer, no methods at all.
        Assert.Equal((InspectResult.NoMatch, null), Socks((true, Greeting), (false, Choice(1))));
        Assert.Equal((InspectResult.NoMatch, null), Socks((true, Greeting), (false, [4, 0])));
        Assert.Equal(InspectResult.NoMatch, Socks((true, [5, 0])).Result);
        // Version 4: another command, a user ID that is not text or runs past 255 bytes, a reply code out of range.
        Assert.Equal(InspectResult.NoMatch, Socks((true, [4, 3, 0, 22, 192, 0, 2, 7, 0])).Result);
        Assert.Equal(InspectResult.NoMatch, Socks((true, [4, 1, 0, 22, 192, 0, 2, 7, 1, 2, 0])).Result);
        Assert.Equal(InspectResult.NoMatch, Socks((true, [4, 1, 0, 22, 192, 0, 2, 7, .. Enumerable.Repeat((byte)'a', 300)])).Result);
        Assert.Equal((InspectResult.NoMatch, null), Socks((true, Socks4), (false, Reply4(89))));
        // A server that speaks first.
        Assert.Equal(InspectResult.NoMatch, Socks((false, Choice(0))).Result);
        // Cut anywhere, the client's request is waited for, and what was claimed stays claimed.
        byte[] whole = [.. Greeting, .. DomainRequest("pastebin.com", 443)];
        for (int length = Greeting.Length; length < whole.Length; length++)
            Assert.Equal(InspectResult.Partial, Socks((true, Greeting), (false, Choice(0)), (true, whole[..length])).Result);
    }

    [Fact]
    public void AtTheEdgeASocksProxyOnItsTlsPortIsAProtocolMismatch()
    {
        var (report, flows) = TunnelInspectorTests.AuditAtTheEdge(new ScenarioCapture("socks-at-the-edge", 1_700_000_000)
            .TcpSession(TunnelInspectorTests.Internet, TunnelInspectorTests.EdgeExternal, 443, 1,
                [new(0.01, true, Greeting), new(0.02, false, Choice(0)), new(0.03, true, DomainRequest("intranet.contoso.com", 445)),
                 new(0.04, false, Succeeded)]));
        var flow = Assert.Single(flows);
        Assert.Equal((AppLabel.Socks, "version=5; auth=none; connect=intranet.contoso.com:445", Verdict.ProtocolMismatch),
            (flow.Flow.App, flow.Flow.AppDetail?.ToString(), flow.Verdict.Verdict));
        Assert.Single(report.Findings, f => f.Kind == FindingKind.ProtocolMismatch && f.Ports == "443");
    }
}
