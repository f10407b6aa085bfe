using PortAudit.Decode;
using PortAudit.Flows;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect.Ftp;

/// <summary>
/// A data connection an FTP control connection announced (PORT or EPRT from the client, a 227 or 229 answer to PASV or
/// EPSV from the server). The flow that goes there is labelled ftp-data, its appDetail naming the command and the
/// control connection: the evidence, as rpcSource is for DCE/RPC.
/// </summary>
public sealed class FtpDataAnnouncement : IAnnouncement
{
    private readonly AppDetail _detail;

    /// <summary>An announcement made at <paramref name="timeNs"/> by <paramref name="command"/> on <paramref name="control"/>.</summary>
    public FtpDataAnnouncement(long timeNs, string command, Flow control)
    {
        TimeNs = timeNs;
        Command = command;
        ControlFlowId = control.Id;
        _detail = AppDetail.Of(new DetailPart(null, command), new DetailPart("control", EndpointText.Format(control.Client, control.ClientPort)));
    }

    /// <inheritdoc />
    public long TimeNs { get; }

    /// <inheritdoc />
    public bool Refinable => false;

    /// <summary>PORT, EPRT, PASV or EPSV.</summary>
    public string Command { get; }

    /// <summary>The control connection's flow id in this run.</summary>
    public long ControlFlowId { get; }

    /// <inheritdoc />
    public void Apply(Flow flow)
    {
        flow.App = AppLabel.FtpData;
        flow.AppDetail = _detail;
    }
}
