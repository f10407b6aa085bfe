using PortAudit.Flows;
using PortAudit.Flows.Facts;

namespace PortAudit.Inspect;

/// <summary>
/// An announcement whose flow is known by where it goes: it is labelled for good, its appDetail naming the flow that
/// announced it (a TFTP transfer, whose bytes name nothing; an SSDP answer, whose bytes would say only that it answers
/// some search). Its bytes are not read.
/// </summary>
/// <param name="timeNs">When the announcing flow made it, nanoseconds of capture time.</param>
/// <param name="app">The label the announced flow takes.</param>
/// <param name="detail">The announced flow's appDetail: what announced it.</param>
public sealed class LabelAnnouncement(long timeNs, AppLabel app, AppDetail detail) : IAnnouncement
{
    /// <inheritdoc />
    public long TimeNs { get; } = timeNs;

    /// <inheritdoc />
    public bool Refinable => false;

    /// <inheritdoc />
    public void Apply(Flow flow)
    {
        flow.App = app;
        flow.AppDetail = detail;
    }
}
