using System.Data.Common;

namespace PortAudit.Store;

/// <summary>
/// One sensor input of a store as a run's source: the sensor, the input it read (a capture's path, a live interface),
/// and its place in the run's source list, by which each of its flows points back at it.
/// </summary>
/// <param name="Sensor">The sensor that wrote the flows.</param>
/// <param name="Input">The input, as the sensor named it.</param>
/// <param name="Number">1 for the run's first source.</param>
internal readonly record struct StoreInput(string Sensor, string Input, int Number)
{
    /// <summary>The source's name in the reports: <c>sensor:input</c>.</summary>
    public string Name => $"{Sensor}:{Input}";

    /// <summary>The inputs of a <c>SELECT DISTINCT sensor, input … ORDER BY sensor, input</c>, numbered in that order.</summary>
    public static List<StoreInput> ReadAll(DbDataReader reader)
    {
        var inputs = new List<StoreInput>();
        while (reader.Read()) inputs.Add(new StoreInput(reader.GetString(0), reader.GetString(1), inputs.Count + 1));
        return inputs;
    }
}
