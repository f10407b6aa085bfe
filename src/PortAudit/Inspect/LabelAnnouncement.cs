using PortAudit.Flows;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect;

/// <summary>
/// An announcement whose flow is known by where it goes: it is labelled <see cref="App"/> for good, its appDetail naming
/// the flow that announced it (a TFTP transfer, whose bytes name nothing; an SSDP answer, whose bytes would say only that
/// it answers some search). Its bytes are not read.
/// </summary>
public sealed class LabelAnnouncement(long timeNs, AppLabel app, AppDetail detail) : IAnnouncement
{
    /// <inheritdoc />
    public long TimeNs { get; } = timeNs;

    /// <inheritdoc />
    public bool Refinable => false;

    /// <summary>The label the announced flow takes.</summary>
    public AppLabel App { get; } = app;

    /// <summary>The announced flow's appDetail: what announced it.</summary>
    public AppDetail Detail { get; } = detail;

    /// <inheritdoc />
    public void Apply(Flow flow)
    {
        flow.App = App;
        flow.AppDetail = Detail;
    }
}
