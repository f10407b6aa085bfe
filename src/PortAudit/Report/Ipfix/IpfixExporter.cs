using PortAudit.Audit;
using PortAudit.Decode;
using PortAudit.Flows;

namespace PortAudit.Report.Ipfix;

/// <summary>
/// Sends every ended flow as an IPFIX bidirectional flow record (RFC 5103) to a collector: as a flow observer in a
/// run without an audit, or as a sink of judged flows in an audit (<see cref="IpfixExportSettings.Verdicts"/>), never
/// both. Records are encoded from the flow's fields into one pooled buffer on the run's thread and a message is sent
/// when it is full, when it has waited <see cref="IpfixExportSettings.FlushInterval"/>, and at <see cref="Complete"/>.
/// A message the transport cannot send is counted as lost and the run goes on: export is UDP, a collector may be away.
/// </summary>
public sealed class IpfixExporter : IFlowObserver, IAuditedFlowSink, IDisposable
{
    private readonly IIpfixTransport _transport;
    private readonly IpfixExportSettings _settings;
    private readonly IpfixExportLayout _layout;
    private readonly IpfixMessageWriter _message;
    private readonly TimeProvider _time;
    private readonly Action<string>? _notice;
    private bool _open;
    private long _firstRecordAt;
    private long _templatesAt;
    private int _messagesSinceTemplates;
    private uint _sequence;

    /// <summary>
    /// An exporter over <paramref name="transport"/>, which it owns. <paramref name="notice"/> hears the first failed
    /// send; <paramref name="time"/> is the clock of export times and refresh intervals (the system's when null).
    /// </summary>
    public IpfixExporter(IIpfixTransport transport, IpfixExportSettings settings, Action<string>? notice = null, TimeProvider? time = null)
    {
        if (settings.MaxMessageSize is < IpfixExportSettings.MinMessageSize or > ushort.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(settings), $"message size {settings.MaxMessageSize} is outside {IpfixExportSettings.MinMessageSize}..{ushort.MaxValue}");
        _transport = transport;
        _settings = settings;
        _layout = IpfixExportLayout.Of(settings.Verdicts);
        _message = new IpfixMessageWriter(settings.MaxMessageSize);
        _notice = notice;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Where the messages go, as the transport names it.</summary>
    public string Destination => _transport.Name;

    /// <summary>Flow records exported.</summary>
    public long Flows { get; private set; }

    /// <summary>Messages handed to the transport.</summary>
    public long Messages { get; private set; }

    /// <summary>Messages the transport could not send.</summary>
    public long LostMessages { get; private set; }

    /// <inheritdoc />
    public void OnPacket(Flow flow, bool fromClient, bool isFirst, in DecodedPacket packet, ReadOnlySpan<byte> payload) { }

    /// <inheritdoc />
    public bool ReadsPackets => false;

    /// <inheritdoc />
    public void OnFlowEnd(Flow flow) => Export(flow, null);

    /// <inheritdoc />
    public void Write(Flow flow, FlowVerdict verdict) => Export(flow, verdict);

    /// <summary>Adds the record of <paramref name="flow"/>; <paramref name="verdict"/> is required when the records carry verdicts.</summary>
    public void Export(Flow flow, FlowVerdict? verdict)
    {
        if (_settings.Verdicts && verdict is null) ThrowVerdictMissing();
        bool v4 = flow.Client.IsV4;
        ushort id = v4 ? IpfixExportLayout.V4TemplateId : IpfixExportLayout.V6TemplateId;
        var template = v4 ? _layout.V4 : _layout.V6;
        if (!_open) Begin();
        if (!_message.TryAdd(id, template, flow, verdict))
        {
            Send();
            Begin();
            if (!_message.TryAdd(id, template, flow, verdict)) ThrowRecordTooLarge();
        }
        Flows++;
        long now = _time.GetTimestamp();
        if (_message.Records == 1) _firstRecordAt = now;
        else if (_time.GetElapsedTime(_firstRecordAt, now) >= _settings.FlushInterval) Send();
    }

    /// <summary>Sends the message under way, if it holds a record. Call once the run has ended; the exporter can go on after it.</summary>
    public void Complete()
    {
        if (_open && _message.Records > 0) Send();
    }

    private void Begin()
    {
        _message.Begin();
        long now = _time.GetTimestamp();
        if (Messages == 0 || _messagesSinceTemplates >= _settings.TemplateRefreshMessages
            || _time.GetElapsedTime(_templatesAt, now) >= _settings.TemplateRefresh)
        {
            _message.AddTemplates(_layout);
            _templatesAt = now;
            _messagesSinceTemplates = 0;
        }
        _open = true;
    }

    private void Send()
    {
        int records = _message.Records;
        uint exportSeconds = (uint)_time.GetUtcNow().ToUnixTimeSeconds();
        // RFC 7011 §3.1: the sequence number counts the domain's data records sent before this message, modulo 2^32.
        var bytes = _message.Finish(exportSeconds, _sequence, _settings.ObservationDomain);
        _sequence = unchecked(_sequence + (uint)records);
        _open = false;
        Messages++;
        _messagesSinceTemplates++;
        if (_transport.TrySend(bytes, out var problem)) return;
        if (LostMessages++ == 0) _notice?.Invoke($"ipfix export to {_transport.Name}: {problem}; messages that cannot be sent are counted as lost");
    }

    private static void ThrowVerdictMissing() =>
        throw new InvalidOperationException("this exporter sends verdicts: give it judged flows (IAuditedFlowSink), not plain ones");

    private static void ThrowRecordTooLarge() =>
        throw new InvalidOperationException("a flow record does not fit an empty message");

    /// <summary>Returns the buffer and closes the transport (without sending: call <see cref="Complete"/> first).</summary>
    public void Dispose()
    {
        _message.Dispose();
        _transport.Dispose();
    }
}
