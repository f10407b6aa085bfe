using System.Buffers.Binary;
using System.Text;
using PortAudit.Flows.Facts;
using PortAudit.Inspect;
using PortAudit.Tests.Scenarios;

namespace PortAudit.Tests.Inspect.SpecExamples;

/// <summary>
/// The SQL Server Browser's exchange as [MC-SQLR] shows it in its own examples (section 4, "Protocol Examples", v20.0),
/// byte for byte, built as frames (PacketDotNet) and read by the inspection engine: 4.1 CLNT_UCAST_EX (0x03) answered by
/// an SVR_RESP describing three instances, 4.2 CLNT_UCAST_INST for "YUKONSTD" and its SVR_RESP, and 4.3 CLNT_UCAST_DAC
/// answered by the DAC's six-byte SVR_RESP (port 0xDF32, 57138). Section 4 has no CLNT_BCAST_EX example: the broadcast
/// test sends 2.2.1's single byte 0x02 and is answered with 4.1's response, since 2.2.5 defines CLNT_BCAST_EX_RESPONSE as
/// CLNT_UCAST_EX_RESPONSE. tshark 4.0 has no SQL Server Resolution dissector, so each field is checked against the
/// example's hex dump and the 2.2 definitions it follows.
/// </summary>
[Trait(Tier.Name, Tier.Unit)]
public class SqlBrowserSpecExampleTests
{
    private const string Client = "192.0.2.41", Server = "192.0.2.42";

    /// <summary>4.1 CLNT_UCAST_EX, request: the single byte 03.</summary>
    private static readonly byte[] UnicastExRequest = Convert.FromHexString("03");

    /// <summary>4.1 CLNT_UCAST_EX, response: SVR_RESP 05, RESP_SIZE 47 01 (0x0147, 327), then RESP_DATA (the hex dump).</summary>
    private static readonly byte[] UnicastExResponse = Convert.FromHexString(
        "0547015365727665724e616d653b494c" +
        "53554e47313b496e7374616e63654e61" +
        "6d653b59554b4f4e5354443b4973436c" +
        "757374657265643b4e6f3b5665727369" +
        "6f6e3b392e30302e313339392e30363b" +
        "7463703b35373133373b3b5365727665" +
        "724e616d653b494c53554e47313b496e" +
        "7374616e63654e616d653b59554b4f4e" +
        "4445563b4973436c757374657265643b" +
        "4e6f3b56657273696f6e3b392e30302e" +
        "313339392e30363b6e703b5c5c494c53" +
        "554e47315c706970655c4d5353514c24" +
        "59554b4f4e4445565c73716c5c717565" +
        "72793b3b5365727665724e616d653b49" +
        "4c53554e47313b496e7374616e63654e" +
        "616d653b4d5353514c5345525645523b" +
        "4973436c757374657265643b4e6f3b56" +
        "657273696f6e3b392e30302e31333939" +
        "2e30363b7463703b313433333b6e703b" +
        "5c5c494c53554e47315c706970655c73" +
        "716c5c71756572793b3b");

    /// <summary>4.1's RESP_DATA as the dump's text column reads: the instances "YUKONSTD", "YUKONDEV" and "MSSQLSERVER".</summary>
    private const string UnicastExData =
        "ServerName;ILSUNG1;InstanceName;YUKONSTD;IsClustered;No;Version;9.00.1399.06;tcp;57137;;"
        + @"ServerName;ILSUNG1;InstanceName;YUKONDEV;IsClustered;No;Version;9.00.1399.06;np;\\ILSUNG1\pipe\MSSQL$YUKONDEV\sql\query;;"
        + @"ServerName;ILSUNG1;InstanceName;MSSQLSERVER;IsClustered;No;Version;9.00.1399.06;tcp;1433;np;\\ILSUNG1\pipe\sql\query;;";

    /// <summary>4.2 CLNT_UCAST_INST, request: 04, then "YUKONSTD" and its null terminator.</summary>
    private static readonly byte[] UnicastInstanceRequest = Convert.FromHexString("0459554b4f4e53544400");

    /// <summary>4.2 CLNT_UCAST_INST, response: SVR_RESP 05, RESP_SIZE 58 00 (88), then RESP_DATA (the hex dump).</summary>
    private static readonly byte[] UnicastInstanceResponse = Convert.FromHexString(
        "0558005365727665724e616d653b494c" +
        "53554e47313b496e7374616e63654e61" +
        "6d653b59554b4f4e5354443b4973436c" +
        "757374657265643b4e6f3b5665727369" +
        "6f6e3b392e30302e313339392e30363b" +
        "7463703b35373133373b3b");

    /// <summary>4.2's RESP_DATA as the dump's text column reads: the one instance asked for.</summary>
    private const string UnicastInstanceData =
        "ServerName;ILSUNG1;InstanceName;YUKONSTD;IsClustered;No;Version;9.00.1399.06;tcp;57137;;";

    /// <summary>4.3 CLNT_UCAST_DAC, request: 0f, protocol version 01, then "YUKONSTD" and its null terminator.</summary>
    private static readonly byte[] DacRequest = Convert.FromHexString("0f0159554b4f4e53544400");

    /// <summary>4.3 CLNT_UCAST_DAC, response: 05 06 00 01 32 df ("The port number is 0xDF32 or 57138").</summary>
    private static readonly byte[] DacResponse = Convert.FromHexString("0506000132df");

    /// <summary>2.2.1 CLNT_BCAST_EX: the single byte 0x02 (section 4 gives no example of it).</summary>
    private static readonly byte[] BroadcastRequest = [0x02];

    [Fact]
    public void TheSection41ExampleCarriesTheFieldsTheSpecificationDefines()
    {
        // 4.1 CLNT_UCAST_EX: request 03; response 05, RESP_SIZE 0x0147 (RESP_DATA only, 2.2.5), three instances.
        Assert.Equal(new byte[] { 0x03 }, UnicastExRequest);                                             // 2.2.2 CLNT_UCAST_EX
        Assert.Equal(0x05, UnicastExResponse[0]);                                                         // SVR_RESP
        Assert.Equal(0x0147, BinaryPrimitives.ReadUInt16LittleEndian(UnicastExResponse.AsSpan(1)));     // RESP_SIZE 47 01
        Assert.Equal(0x0147, UnicastExResponse.Length - 3);
        Assert.Equal(UnicastExData, Encoding.ASCII.GetString(UnicastExResponse, 3, UnicastExResponse.Length - 3));
        var instances = UnicastExData.Split(";;", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(new[] { "YUKONSTD", "YUKONDEV", "MSSQLSERVER" }, instances.Select(i => i.Split(';')[3]));
        Assert.All(instances, i => Assert.StartsWith("ServerName;ILSUNG1;InstanceName;", i));
        Assert.All(instances, i => Assert.Contains(";IsClustered;No;Version;9.00.1399.06;", i));
    }

    [Fact]
    public void TheSection42ExampleCarriesTheFieldsTheSpecificationDefines()
    {
        // 4.2 CLNT_UCAST_INST: request 04 "YUKONSTD" 00; response 05, RESP_SIZE 0x0058, the one instance, tcp 57137.
        Assert.Equal(0x04, UnicastInstanceRequest[0]);                                                    // 2.2.3 CLNT_UCAST_INST
        Assert.Equal("YUKONSTD", Encoding.ASCII.GetString(UnicastInstanceRequest, 1, UnicastInstanceRequest.Length - 2));
        Assert.Equal(0, UnicastInstanceRequest[^1]);                                                      // null terminator
        Assert.Equal(10, UnicastInstanceRequest.Length);
        Assert.Equal(0x05, UnicastInstanceResponse[0]);                                                   // SVR_RESP
        Assert.Equal(0x0058, BinaryPrimitives.ReadUInt16LittleEndian(UnicastInstanceResponse.AsSpan(1))); // RESP_SIZE 58 00
        Assert.Equal(0x58, UnicastInstanceResponse.Length - 3);
        Assert.InRange(UnicastInstanceResponse.Length - 3, 1, 1024);                                      // 2.2.5's CLNT_UCAST_INST limit
        Assert.Equal(UnicastInstanceData, Encoding.ASCII.GetString(UnicastInstanceResponse, 3, UnicastInstanceResponse.Length - 3));
        Assert.StartsWith(UnicastInstanceData, UnicastExData);                                            // the same instance as 4.1's first
    }

    [Fact]
    public void TheSection43ExampleCarriesTheFieldsTheSpecificationDefines()
    {
        // 4.3 CLNT_UCAST_DAC: request 0f 01 "YUKONSTD" 00; response 05 06 00 01 32 df, the DAC on TCP 57138.
        Assert.Equal(new byte[] { 0x0F, 0x01 }, DacRequest[..2]);                                        // 2.2.4: CLNT_UCAST_DAC, version 1
        Assert.Equal("YUKONSTD", Encoding.ASCII.GetString(DacRequest, 2, DacRequest.Length - 3));
        Assert.Equal(0, DacRequest[^1]);
        Assert.Equal(0x05, DacResponse[0]);                                                               // 2.2.6 SVR_RESP
        Assert.Equal(6, BinaryPrimitives.ReadUInt16LittleEndian(DacResponse.AsSpan(1)));                 // RESP_SIZE: the whole message
        Assert.Equal(6, DacResponse.Length);
        Assert.Equal(0x01, DacResponse[3]);                                                               // PROTOCOLVERSION
        Assert.Equal(0xDF32, BinaryPrimitives.ReadUInt16LittleEndian(DacResponse.AsSpan(4)));            // TCP_DAC_PORT, 32 df
        Assert.Equal(57138, BinaryPrimitives.ReadUInt16LittleEndian(DacResponse.AsSpan(4)));
    }

    [Fact]
    public void TheSection41ListingAnsweredIsSqlBrowser()
    {
        // 4.1 CLNT_UCAST_EX, request and response as the example's bytes.
        var capture = new ScenarioCapture("sqlr-4.1", 1_700_000_000)
            .Udp(Client, Server, 1434, 1, UnicastExRequest, UnicastExResponse, clientPort: 50122);
        var flow = Assert.Single(InspectTestData.Inspect(capture.Build()));
        Assert.Equal((AppLabel.SqlBrowser, "response"), (flow.App, flow.AppDetail?.ToString()));
    }

    [Fact]
    public void TheSection42InstanceLookupAnsweredIsSqlBrowser()
    {
        // 4.2 CLNT_UCAST_INST, request and response as the example's bytes.
        var capture = new ScenarioCapture("sqlr-4.2", 1_700_000_000)
            .Udp(Client, Server, 1434, 1, UnicastInstanceRequest, UnicastInstanceResponse, clientPort: 50123);
        var flow = Assert.Single(InspectTestData.Inspect(capture.Build()));
        Assert.Equal((AppLabel.SqlBrowser, "response"), (flow.App, flow.AppDetail?.ToString()));
    }

    [Fact]
    public void ABroadcastsAnswerFromTheServersAddressIsSqlBrowserAndTheBroadcastAloneIsNot()
    {
        // Section 4 has no CLNT_BCAST_EX example: 2.2.1's request 0x02 goes to the broadcast address (3.1), and the server
        // answers from its own address, a flow of its own, with 4.1's response (2.2.5: CLNT_BCAST_EX_RESPONSE =
        // CLNT_UCAST_EX_RESPONSE).
        var capture = new ScenarioCapture("sqlr-2.2.1-4.1", 1_700_000_000)
            .Udp(Client, "192.0.2.255", 1434, 1, BroadcastRequest, answer: Answer.Silent, clientPort: 50124)
            .Udp(Server, Client, 50124, 1.01, UnicastExResponse, answer: Answer.Silent, clientPort: 1434);
        var flows = InspectTestData.Inspect(capture.Build());
        var broadcast = Assert.Single(flows, f => f.Server.ToString() == "192.0.2.255");
        var answer = Assert.Single(flows, f => f.Server.ToString() != "192.0.2.255");
        Assert.Null(broadcast.App);
        Assert.Equal((AppLabel.SqlBrowser, "response"), (answer.App, answer.AppDetail?.ToString()));
    }

    [Fact]
    public void TheSection43DacLookupAnsweredIsSqlBrowserWithTheDacPort()
    {
        // 4.3 CLNT_UCAST_DAC, request and response as the example's bytes: the DAC port 0xDF32, 57138.
        var capture = new ScenarioCapture("sqlr-4.3", 1_700_000_000)
            .Udp(Client, Server, 1434, 1, DacRequest, DacResponse, clientPort: 50125);
        var flow = Assert.Single(InspectTestData.Inspect(capture.Build()));
        Assert.Equal((AppLabel.SqlBrowser, "response; dac=57138"), (flow.App, flow.AppDetail?.ToString()));
    }
}
