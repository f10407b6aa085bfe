using System.Globalization;
using DuckDB.NET.Data;

namespace PortAudit.Store;

/// <summary>
/// A lake's flows as one SQL relation for DuckDB: the complete files of the partitions asked for, read with
/// <c>read_parquet([…], hive_partitioning = true)</c>, so that <c>sensor</c> and <c>day</c> come from the path. The
/// partitions are picked by their directory names (sensors, days of the window) before DuckDB is asked, and DuckDB's
/// own filter on the path's columns is kept: DuckDB reads the first file of a pattern to learn the columns before it
/// prunes by path, so a pattern over the whole lake would open a file of any sensor or day, whole or damaged. A
/// partition not asked for is never opened. The columns are the store's (<see cref="FlowColumns.All"/>, with their SQL
/// types), so a reader of the store reads the lake with a different FROM clause.
/// </summary>
internal static class LakeRelation
{
    /// <summary>
    /// The relation of the flows of <paramref name="sensors"/> (all when empty) under <paramref name="directory"/>
    /// whose UTC day of start may fall in [<paramref name="since"/>, <paramref name="until"/>): a subquery, for a FROM
    /// clause; null when no partition of the lake is in it.
    /// </summary>
    public static string? From(string directory, IReadOnlyCollection<string> sensors, DateTimeOffset? since, DateTimeOffset? until)
    {
        var first = since is { } s ? DateOnly.FromDateTime(s.UtcDateTime) : DateOnly.MinValue;
        var last = until is { } u ? DateOnly.FromDateTime(u.UtcDateTime) : DateOnly.MaxValue;
        var partitions = Partitions(directory, sensors, first, last).ToList();
        if (partitions.Count == 0) return null;
        // hive_types: a sensor named 2026 must not be taken for a number by DuckDB's guess.
        string files = string.Join(", ", partitions.Select(p => Literal(Path.Combine(p, "*.parquet"))));
        // union_by_name: a file written before a column was added (version 3's tunnel) lacks it, and reads null there.
        string scan = $"read_parquet([{files}], hive_partitioning = true, hive_types = {{'sensor': VARCHAR, 'day': DATE}}, union_by_name = true)";
        var where = new List<string>();
        if (sensors.Count > 0) where.Add($"sensor IN ({string.Join(", ", sensors.Select(Literal))})");
        // Whole days on the path: the exact window is the reader's (on start).
        if (since is not null) where.Add($"day >= DATE {Literal(Day(first))}");
        if (until is not null) where.Add($"day <= DATE {Literal(Day(last))}");
        string filter = where.Count == 0 ? "" : " WHERE " + string.Join(" AND ", where);
        var present = ColumnsOf(scan);
        return $"(SELECT {string.Join(", ", FlowColumns.All.Select(c => present is null || present.Contains(c.Name) ? Typed(c) : Null(c)))} FROM {scan}{filter})";
    }

    // The columns the files hold, any of them (union_by_name), so that one no file holds reads as null: a lake written
    // before version 3 has no tunnel. Null when DuckDB cannot tell: the query then meets the damage and names it.
    private static HashSet<string>? ColumnsOf(string scan)
    {
        try
        {
            using var connection = new DuckDBConnection("DataSource=:memory:");
            connection.Open();
            using var describe = connection.CreateCommand();
            describe.CommandText = $"DESCRIBE SELECT * FROM {scan}";
            using var reader = describe.ExecuteReader();
            var names = new HashSet<string>(StringComparer.Ordinal);
            while (reader.Read()) names.Add(reader.GetString(0));
            return names;
        }
        catch (DuckDBException)
        {
            return null;
        }
    }

    private static string Null(FlowColumn column) => $"CAST(NULL AS {column.DuckDbType}) AS {FlowColumns.Quoted(column.Name)}";

    /// <summary>The day directories holding complete files of the sensors asked for (every sensor's when none is named) in [first, last].</summary>
    public static IEnumerable<string> Partitions(string directory, IReadOnlyCollection<string> sensors, DateOnly first, DateOnly last)
    {
        var sensorDirectories = sensors.Count > 0
            ? sensors.Select(sensor => Path.Combine(directory, LakeLayout.SensorDirectory(sensor))).Where(Directory.Exists)
            : Directory.Exists(directory) ? Directory.EnumerateDirectories(directory, "sensor=*") : [];
        foreach (string sensor in sensorDirectories.Order(StringComparer.Ordinal))
            foreach (string day in Directory.EnumerateDirectories(sensor, "day=*").Order(StringComparer.Ordinal))
                if (DateOnly.TryParseExact(Path.GetFileName(day)["day=".Length..], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
                    && date >= first && date <= last && Directory.EnumerateFiles(day, "*.parquet").Any())
                    yield return day;
    }

    // The lake's integers are 64-bit (what every reader takes); the store's narrower columns get their type back.
    private static string Typed(FlowColumn column)
    {
        string name = FlowColumns.Quoted(column.Name);
        return column.Kind switch
        {
            ColumnKind.Int2 => $"CAST({name} AS SMALLINT) AS {name}",
            ColumnKind.Int4 => $"CAST({name} AS INTEGER) AS {name}",
            _ => name,
        };
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>An SQL string literal.</summary>
    public static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
}
