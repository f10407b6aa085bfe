using PortAudit.Common;
using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Flows.Facts;

namespace PortAudit.Tests.Flows;

/// <summary>
/// A record whose sides were a guess from another run's ports, taken again with this run's: turned as the store's
/// flows are (<see cref="Flow.TakeSidesAgain"/>), with the state that flow would have.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public sealed class FlowRecordSidesTests
{
    // 1900 serves, 57547 does not.
    private sealed class Ssdp : IServerPortHint
    {
        public bool IsServerPort(byte protocol, ushort port) => port == 1900;
    }

    [Theory]
    // Datagrams from the device's 1900 alone: the searcher is the client, and only the server sent.
    [InlineData(IpProtocol.Udp, FlowState.Unanswered, 4, 0, FlowEvidence.Inspected, FlowState.Midstream)]
    [InlineData(IpProtocol.Udp, FlowState.Established, 4, 2, FlowEvidence.Inspected, FlowState.Established)]
    // A TCP record without a SYN seen: one way only is the server's direction alone; both ways keep the state.
    [InlineData(IpProtocol.Tcp, FlowState.Established, 5, 0, FlowEvidence.PortOnly, FlowState.Midstream)]
    [InlineData(IpProtocol.Tcp, FlowState.Unanswered, 5, 0, FlowEvidence.PortOnly, FlowState.Midstream)]
    [InlineData(IpProtocol.Tcp, FlowState.Established, 5, 3, FlowEvidence.PortOnly, FlowState.Established)]
    // Refused and a firewall's own word stay whichever end is the client.
    [InlineData(IpProtocol.Udp, FlowState.Rejected, 1, 0, FlowEvidence.Inspected, FlowState.Rejected)]
    [InlineData(IpProtocol.Udp, FlowState.Unanswered, 1, 0, FlowEvidence.FirewallLog, FlowState.Unanswered)]
    public void A_guess_the_runs_ports_contradict_is_turned_with_the_state_a_stored_flow_gets(
        byte protocol, FlowState state, long sent, long back, FlowEvidence evidence, FlowState turned)
    {
        var record = Record(protocol, state, sent, back, evidence);

        Assert.True(record.TakeSidesAgain(new Ssdp()));

        Assert.Equal(("10.0.0.227", 57547, "10.0.0.151", 1900), (record.Client.ToString(), (int)record.ClientPort, record.Server.ToString(), (int)record.ServerPort));
        Assert.Equal((back, sent, turned, true), (record.PacketsToServer, record.PacketsToClient, record.State, record.FirstSentByServer));
    }

    [Fact]
    public void Sides_the_runs_ports_agree_with_or_that_were_no_guess_stay()
    {
        var agreed = Record(IpProtocol.Udp, FlowState.Unanswered, 4, 0, FlowEvidence.Inspected);
        Assert.False(agreed.TakeSidesAgain(WellKnownPortHint.Instance));
        Assert.Equal(("10.0.0.151", FlowState.Unanswered), (agreed.Client.ToString(), agreed.State));

        var opened = Record(IpProtocol.Udp, FlowState.Unanswered, 4, 0, FlowEvidence.Inspected);
        opened.SidesFromPorts = false;
        Assert.False(opened.TakeSidesAgain(new Ssdp()));
        Assert.Equal("10.0.0.151", opened.Client.ToString());
    }

    // What `flows` wrote: the sender, from 1900 (no service below 1024), taken for the client.
    private static FlowRecord Record(byte protocol, FlowState state, long sent, long back, FlowEvidence evidence) => new()
    {
        Protocol = protocol,
        Client = IpAddr.Parse("10.0.0.151"),
        ClientPort = 1900,
        Server = IpAddr.Parse("10.0.0.227"),
        ServerPort = 57547,
        PacketsToServer = sent,
        BytesToServer = sent * 100,
        PacketsToClient = back,
        BytesToClient = back * 100,
        State = state,
        Evidence = evidence,
        SidesFromPorts = true,
    };
}
