using DuckDB.NET.Data;
using PortAudit.Common;
using PortAudit.Sources;

namespace PortAudit.Store;

/// <summary>
/// A lake of Parquet files as a flow store (<c>--store DIR/</c>, <c>--from-store DIR/</c>): written by
/// <see cref="LakeFlowWriter"/>, read by DuckDB in process through <see cref="DuckDbFlowSource"/> over the partitions
/// asked for (<see cref="LakeRelation"/>). No server, so no spool; no schema to create or migrate: the files carry
/// their columns.
/// </summary>
internal sealed class LakeStore(string directory) : IFlowStore
{
    /// <inheritdoc />
    public string Display => directory;

    /// <inheritdoc />
    public bool Spools => false;

    /// <inheritdoc />
    public IStoreWriter OpenWriter(StoreWriterSettings settings, Action<string> notice) =>
        settings.SpoolPath is null
            ? new LakeFlowWriter(directory, new LakeWriterSettings { Sensor = settings.Sensor, Inputs = settings.Inputs, BatchFlows = settings.BatchFlows })
            : throw new InputException($"--spool: store {Display} is a lake of local files, written directly, which needs no spool");

    /// <inheritdoc />
    public IReadOnlyList<IFlowSource> OpenSources(StoreQuery query) =>
        LakeRelation.From(directory, query.Sensors, query.Since, query.Until) is { } relation
            ? DuckDbFlowSource.Open(DuckDbRelation.Files(directory, relation), query)
            : [];

    /// <inheritdoc />
    public int Migrate() => 0;

    /// <inheritdoc />
    public StoreStatus Status()
    {
        if (LakeRelation.From(directory, [], null, null) is not { } relation) return new StoreStatus(0, 0, [], 0, 0);
        try
        {
            using var connection = new DuckDBConnection(DuckDbRelation.Files(directory, relation).ConnectionString);
            connection.Open();
            using var bySensor = connection.CreateCommand();
            bySensor.CommandText = StoreStatus.BySensorQuery.Replace("portaudit.flows", relation, StringComparison.Ordinal);
            return StoreStatus.Of(StoreSchema.Version, LakeRelation.Partitions(directory, [], DateOnly.MinValue, DateOnly.MaxValue).Count(), bySensor);
        }
        catch (DuckDBException ex)
        {
            throw DuckDbStore.Refused(directory, ex);
        }
    }
}
