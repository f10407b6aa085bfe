using PortAudit.Flows;

namespace PortAudit.Store;

/// <summary>What every writer of store rows is told: the sensor, the run's inputs, and how many flows go to its thread at once.</summary>
public abstract record FlowWriterSettings
{
    /// <summary>The sensor name written with every flow (a lake's partition); the host name unless given.</summary>
    public string Sensor { get; init; } = Environment.MachineName;

    /// <summary>The run's inputs by number (<see cref="Flow.Input"/> 1 is the first), as written with each flow.</summary>
    public IReadOnlyList<string> Inputs { get; init; } = [];

    /// <summary>Flows handed to the writer's thread at once (one COPY, for a database).</summary>
    public int BatchFlows { get; init; } = 10_000;
}
