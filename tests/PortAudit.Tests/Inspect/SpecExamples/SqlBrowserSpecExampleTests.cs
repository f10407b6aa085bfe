using System.Buffers.Binary;
using System.Text;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Tests.Scenarios;

namespace PortAudit.Tests.Inspect.SpecExamples;

/// <summary>
/// The SQL Server Browser's exchange as [MC-SQLR] defines it, built as frames (PacketDotNet) and read by the inspection
/// engine: CLNT_UCAST_INST (2.2.3) answered by SVR_RESP (2.2.5) whose RESP_DATA follows the CLNT_UCAST_INST_RESPONSE
/// grammar, and CLNT_BCAST_EX (2.2.1) answered from the server's own address. tshark 4.0 has no SQL Server Resolution
/// dissector, so the fields are checked against the specification; its section 4 examples could not be consulted here
/// (only section 2 was reachable), so the values are the section 2.2 definitions, not a copied trace.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class SqlBrowserSpecExampleTests
{
    private const string Client = "192.0.2.41", Server = "192.0.2.42";

    // 2.2.5: "ServerName" ; SERVERNAME ; "InstanceName" ; INSTANCENAME ; "IsClustered" ; YES_OR_NO ; "Version" ; VERSION_STRING
    // [NP_INFO] [TCP_INFO] ;;
    private const string InstanceResponse =
        @"ServerName;SQL1;InstanceName;MSSQLSERVER;IsClustered;No;Version;15.0.2000.5;np;\\SQL1\pipe\sql\query;tcp;1433;;";

    /// <summary>CLNT_UCAST_INST (2.2.3): 0x04, then the instance name, null-terminated, at most 32 bytes before the null.</summary>
    private static readonly byte[] UnicastInstanceRequest = [0x04, .. Encoding.ASCII.GetBytes("MSSQLSERVER"), 0];

    /// <summary>CLNT_BCAST_EX (2.2.1): the single byte 0x02.</summary>
    private static readonly byte[] BroadcastRequest = [0x02];

    private static readonly byte[] Response = ServerResponse(InstanceResponse);

    [Fact]
    public void TheResponseCarriesTheFieldsTheSpecificationDefines()
    {
        Assert.Equal(0x05, Response[0]);                                                        // SVR_RESP
        Assert.Equal(Response.Length - 3, BinaryPrimitives.ReadUInt16LittleEndian(Response.AsSpan(1))); // RESP_SIZE: RESP_DATA only
        Assert.InRange(Response.Length - 3, 1, 1024);                                           // the limit for a CLNT_UCAST_INST answer
        Assert.EndsWith(";;", Encoding.ASCII.GetString(Response, 3, Response.Length - 3));
        Assert.Equal(13, UnicastInstanceRequest.Length);
    }

    [Fact]
    public void AnInstanceLookupAnsweredIsSqlBrowser()
    {
        var capture = new ScenarioCapture("sqlr-2.2.3-2.2.5", 1_700_000_000)
            .Udp(Client, Server, 1434, 1, UnicastInstanceRequest, Response, clientPort: 50123);
        var flow = Assert.Single(InspectTestData.Inspect(capture.Build()));
        Assert.Equal((AppLabel.SqlBrowser, "response"), (flow.App, flow.AppDetail?.ToString()));
    }

    [Fact]
    public void ABroadcastsAnswerFromTheServersAddressIsSqlBrowserAndTheBroadcastAloneIsNot()
    {
        // 2.2.1 and 3.1: the request goes to the broadcast address; each server answers from its own, a flow of its own.
        var capture = new ScenarioCapture("sqlr-2.2.1-2.2.5", 1_700_000_000)
            .Udp(Client, "192.0.2.255", 1434, 1, BroadcastRequest, answer: Answer.Silent, clientPort: 50124)
            .Udp(Server, Client, 50124, 1.01, Response, answer: Answer.Silent, clientPort: 1434);
        var flows = InspectTestData.Inspect(capture.Build());
        var broadcast = Assert.Single(flows, f => f.Server.ToString() == "192.0.2.255");
        var answer = Assert.Single(flows, f => f.Server.ToString() != "192.0.2.255");
        Assert.Null(broadcast.App);
        Assert.Equal((AppLabel.SqlBrowser, "response"), (answer.App, answer.AppDetail?.ToString()));
    }

    [Fact]
    public void ADacLookupAnsweredIsSqlBrowserWithTheDacPort()
    {
        // 2.2.4 CLNT_UCAST_DAC: 0x0F, protocol version 0x01, the instance name; 2.2.6 SVR_RESP (DAC): 0x05, RESP_SIZE 0x0006
        // (the whole message), PROTOCOLVERSION 0x01, TCP_DAC_PORT little-endian.
        byte[] request = [0x0F, 0x01, .. Encoding.ASCII.GetBytes("MSSQLSERVER"), 0];
        byte[] answer = [0x05, 0x06, 0x00, 0x01, 0x44, 0x05];
        var capture = new ScenarioCapture("sqlr-2.2.4-2.2.6", 1_700_000_000)
            .Udp(Client, Server, 1434, 1, request, answer, clientPort: 50125);
        var flow = Assert.Single(InspectTestData.Inspect(capture.Build()));
        Assert.Equal((AppLabel.SqlBrowser, "response; dac=1348"), (flow.App, flow.AppDetail?.ToString()));
    }

    private static byte[] ServerResponse(string data)
    {
        var text = Encoding.ASCII.GetBytes(data);
        var response = new byte[3 + text.Length];
        response[0] = 0x05;
        BinaryPrimitives.WriteUInt16LittleEndian(response.AsSpan(1), (ushort)text.Length);
        text.CopyTo(response, 3);
        return response;
    }
}
