using System.Globalization;

namespace PortAudit.Learn;

/// <summary>
/// Reads the training set portaudit learn writes: one flow a line, "GROUP\tv1,v2,...", the features already scaled;
/// groups in any order, every row of a group of the same length.
/// </summary>
public static class TrainingSetReader
{
    /// <summary>The rows of each group, in the order groups first appear.</summary>
    /// <exception cref="FormatException">A line is not a group and numbers, or a group's rows differ in length; the message names file and line.</exception>
    public static IReadOnlyList<(string Group, List<float[]> Rows)> Read(string path)
    {
        var groups = new List<(string, List<float[]>)>();
        var byName = new Dictionary<string, List<float[]>>(StringComparer.Ordinal);
        int number = 0;
        foreach (string line in File.ReadLines(path))
        {
            number++;
            if (line.Length == 0) continue;
            int tab = line.IndexOf('\t');
            if (tab <= 0) throw new FormatException($"{path}:{number}: expected GROUP<tab>features");
            string group = line[..tab];
            var row = Parse(line[(tab + 1)..], path, number);
            if (!byName.TryGetValue(group, out var rows))
            {
                rows = [];
                byName.Add(group, rows);
                groups.Add((group, rows));
            }
            else if (rows[0].Length != row.Length)
            {
                throw new FormatException($"{path}:{number}: {row.Length} features where group {group} has {rows[0].Length}");
            }
            rows.Add(row);
        }
        return groups;
    }

    private static float[] Parse(string text, string path, int number)
    {
        var parts = text.Split(',');
        var row = new float[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out row[i]) || !float.IsFinite(row[i]))
                throw new FormatException($"{path}:{number}: feature {i + 1} is not a number ('{parts[i]}')");
        }
        return row;
    }
}
