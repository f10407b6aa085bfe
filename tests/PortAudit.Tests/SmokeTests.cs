namespace PortAudit.Tests;

public class SmokeTests
{
    [Fact]
    public void InputExceptionKeepsItsMessage()
    {
        var ex = new InputException("x.pcap: byte 24: truncated record");
        Assert.Equal("x.pcap: byte 24: truncated record", ex.Message);
    }
}
