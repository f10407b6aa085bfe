using PortAudit.Flows;

namespace PortAudit.Store;

/// <summary>
/// A writer of a run's flows to a flow store of any kind (<c>--store</c>): a database (<see cref="StoreFlowWriter"/>)
/// or a lake of Parquet files (<see cref="LakeFlowWriter"/>). A consumer of the run like every flow writer.
/// </summary>
public interface IFlowStoreWriter : IFlowObserver, IDisposable
{
    /// <summary>Writes what is left and says in one line what was stored. Call once, after the run.</summary>
    /// <exception cref="PortAudit.Common.InputException">The flows could not all be stored; the message says where they are.</exception>
    string Conclude();
}
