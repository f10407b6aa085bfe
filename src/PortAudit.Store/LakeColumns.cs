using PortAudit.Report.Records;

namespace PortAudit.Store;

/// <summary>
/// The columns of a lake's Parquet files: the store's (<see cref="FlowColumns.All"/>, same names, same order) but
/// <c>sensor</c>, which is in the path (<c>sensor=NAME/</c>), typed as DuckDB, Spark and Trino read Parquet without a
/// cast: times UTC timestamps in microseconds, addresses strings, integers signed 64-bit, arrays lists of strings.
/// </summary>
internal static class LakeColumns
{
    /// <summary>The store's column a lake leaves to its path.</summary>
    public const string PathColumn = "sensor";

    /// <summary>Each store column's field in the file (its index in <see cref="All"/>), -1 for <see cref="PathColumn"/>.</summary>
    public static readonly int[] FieldOf = FieldsOf();

    /// <summary>The file's columns, in order.</summary>
    public static readonly ParquetColumn[] All = FlowColumns.All.Where(c => c.Name != PathColumn).Select(c => new ParquetColumn(c.Name, KindOf(c.Kind))).ToArray();

    /// <summary>The column's type in the file.</summary>
    public static ParquetKind KindOf(ColumnKind kind) => kind switch
    {
        ColumnKind.Text or ColumnKind.Inet => ParquetKind.Text,
        ColumnKind.Int2 or ColumnKind.Int4 or ColumnKind.Int8 => ParquetKind.Number,
        ColumnKind.Timestamp => ParquetKind.Time,
        ColumnKind.Bool => ParquetKind.Flag,
        _ => ParquetKind.TextList,
    };

    private static int[] FieldsOf()
    {
        var fields = new int[FlowColumns.All.Length];
        int next = 0;
        for (int column = 0; column < fields.Length; column++) fields[column] = FlowColumns.All[column].Name == PathColumn ? -1 : next++;
        return fields;
    }
}
