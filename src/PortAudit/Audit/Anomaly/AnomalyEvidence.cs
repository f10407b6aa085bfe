namespace PortAudit.Audit.Anomaly;

/// <summary>
/// What an <see cref="FindingKind.Anomalous"/> finding rests on: the worst score among its flows, the threshold of the
/// model that judged it, and the features of that flow that depart most, each with the group's normal range.
/// </summary>
public sealed class AnomalyEvidence
{
    /// <summary>Score over threshold from which the finding is high.</summary>
    public const double HighRatio = 3;

    /// <summary>Score over threshold from which the finding is medium (below it, low).</summary>
    public const double MediumRatio = 1.5;

    /// <summary>The highest score of the finding's flows.</summary>
    public double Score { get; private set; }

    /// <summary>The threshold of the model that gave it.</summary>
    public double Threshold { get; private set; }

    /// <summary>The statistic that judged it (<see cref="Judgement.Components"/> or <see cref="Judgement.Feature"/>).</summary>
    public string Statistic { get; private set; } = Judgement.Components;

    /// <summary>The model's group key.</summary>
    public string Model { get; private set; } = "";

    /// <summary>The departing features of the worst flow.</summary>
    public IReadOnlyList<Departure> Departures { get; private set; } = [];

    /// <summary>How far above its threshold the worst flow is: high from three times, medium from one and a half.</summary>
    public Severity Severity => Score >= HighRatio * Threshold ? Severity.High : Score >= MediumRatio * Threshold ? Severity.Medium : Severity.Low;

    /// <summary>Keeps a flow's judgement when it is the worst so far.</summary>
    public void Note(Judgement judgement, string model, IReadOnlyList<Departure> departures)
    {
        if (Threshold > 0 && judgement.Score / judgement.Threshold <= Score / Threshold) return;
        Score = judgement.Score;
        Threshold = judgement.Threshold;
        Statistic = judgement.Statistic;
        Model = model;
        Departures = departures;
    }
}
