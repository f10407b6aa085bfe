using System.Text;
using PortAudit.Flows;
using PortAudit.Flows.Facts;
using PortAudit.Tests.Builders;
using static PortAudit.Tests.Builders.Packets;

namespace PortAudit.Tests.Inspect;

/// <summary>
/// An SSDP search announces its answers: each device answers by unicast to the port the search came from, from a port of
/// its own choosing, in a flow of its own that is labelled as the search's answer (SsdpAnswerAnnouncement).
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class SsdpAnswerAnnouncementTests
{
    private const string Target = "urn:dial-multiscreen-org:service:dial:1";

    internal static byte[] Search(string searcher, ushort port, string to = "239.255.255.250") => Ethernet(Ip(searcher, to, 17, Udp(port, 1900,
        Encoding.ASCII.GetBytes($"M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 2\r\nST: {Target}\r\n\r\n"))));

    internal static byte[] Answer(string device, ushort from, string searcher, ushort to) => Ethernet(Ip(device, searcher, 17, Udp(from, to,
        Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nST: {Target}\r\nUSN: uuid:1::{Target}\r\n\r\n"))));

    private static byte[] Notify(string device) => Ethernet(Ip(device, "239.255.255.250", 17, Udp(1900, 1900,
        Encoding.ASCII.GetBytes("NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nNT: upnp:rootdevice\r\nNTS: ssdp:alive\r\n\r\n"))));

    internal static List<Flow> Inspect(params byte[][] frames) => InspectTestData.Inspect(PcapBuilder.Spaced(frames));

    [Fact]
    public void Answers_from_any_port_to_the_searchers_port_are_the_searchs()
    {
        var flows = Inspect(
            Search("10.50.0.10", 50001),
            Answer("10.50.0.9", 41234, "10.50.0.10", 50001),
            Answer("10.50.0.8", 1900, "10.50.0.10", 50001));

        var answers = flows.Where(f => f.ServerPort == 50001).OrderBy(f => f.Id).ToList();
        Assert.Equal(2, answers.Count);
        Assert.All(answers, a => Assert.Equal(
            (AppLabel.Ssdp, $"answer; search=239.255.255.250:1900; st={Target}"), (a.App, a.AppDetail?.ToString())));
        Assert.Equal($"m-search; st={Target}", flows.Single(f => f.ServerPort == 1900).AppDetail?.ToString());
    }

    [Fact]
    public void A_unicast_search_announces_too_and_names_where_it_went()
    {
        var flows = Inspect(Search("10.50.0.10", 50001, to: "10.50.0.8"), Answer("10.50.0.8", 41000, "10.50.0.10", 50001));

        Assert.Equal($"answer; search=10.50.0.8:1900; st={Target}", flows.Single(f => f.ServerPort == 50001).AppDetail?.ToString());
    }

    [Fact]
    public void Without_a_search_the_answer_is_read_for_what_it_says()
    {
        // A NOTIFY asks for nothing: a datagram to its sender's port after it is no answer, and an answer with no search
        // before it (the search missed by the capture) keeps the label its own bytes give.
        var flows = Inspect(Notify("10.50.0.10"), Answer("10.50.0.9", 41234, "10.50.0.10", 50001),
            Ethernet(Ip("10.50.0.9", "10.50.0.10", 17, Udp(41235, 1900))));

        Assert.Equal($"200; st={Target}", flows.Single(f => f.ServerPort == 50001).AppDetail?.ToString());
        Assert.Null(flows.Single(f => f.ClientPort == 41235).App);
    }

    [SharedDataFact("bench/base.pcap")]
    public void The_dial_answers_in_the_bench_capture_go_to_the_ports_their_searches_left_from()
    {
        // 10.0.0.227 searched for DIAL receivers from 57547 and 61328 (frames 5793 on); 10.0.0.151 answered from 1900 and
        // 10.0.0.149 from a new port for every answer (tshark shows those as bare UDP).
        var (flows, _) = InspectTestData.Inspect(SharedData.Path("bench/base.pcap")!);
        var searches = flows.Where(f => f.App == AppLabel.Ssdp && f.AppDetail!.ValueAt(0).SequenceEqual("m-search")
                                        && f.Client.ToString() == "10.0.0.227").Select(f => (int)f.ClientPort).Order().ToList();
        var answers = flows.Where(f => f.AppDetail?.ValueAt(0).SequenceEqual("answer") == true).ToList();

        Assert.Equal([57547, 61328], searches);
        Assert.Equal(7, answers.Count);
        Assert.All(answers, a => Assert.Equal(("10.0.0.227", "239.255.255.250:1900", Target),
            (a.Server.ToString(), a.AppDetail!.Find("search"), a.AppDetail.Find("st"))));
        Assert.Equal([48166, 49816, 50081, 51382, 38616], answers.Where(a => a.Client.ToString() == "10.0.0.149")
            .OrderBy(a => a.ServerPort).ThenBy(a => a.ClientPort).Select(a => (int)a.ClientPort));
        Assert.All(answers, a => Assert.Contains((int)a.ServerPort, searches));
    }
}
