using Microsoft.Extensions.Options;

namespace Contacto.Audit;

/// <summary>Section <c>Audit</c>.</summary>
public sealed class AuditOptions
{
    public const string Section = "Audit";

    /// <summary>How often the chains that grew get a signed tree head.</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Where signed tree heads are anchored, outside the database; null for <c>{data}/audit-anchors</c>.</summary>
    public string? AnchorPath { get; set; }

    /// <summary>
    /// How soon every record must be under an anchored head; verification reports a record left
    /// uncovered longer (heads missing for a period with activity).
    /// </summary>
    public TimeSpan HeadDeadline { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long API request log records are kept.</summary>
    public TimeSpan ApiLogRetention { get; set; } = TimeSpan.FromDays(90);
}

sealed class AuditOptionsValidator : IValidateOptions<AuditOptions>
{
    public ValidateOptionsResult Validate(string? name, AuditOptions o)
    {
        var errors = new List<string>();
        if (o.CheckpointInterval < TimeSpan.FromSeconds(1) || o.CheckpointInterval > TimeSpan.FromDays(1))
            errors.Add("Audit:CheckpointInterval: must be between 00:00:01 and 1.00:00:00");
        if (o.AnchorPath is { } anchors && !Path.IsPathFullyQualified(anchors))
            errors.Add($"Audit:AnchorPath: must be an absolute path (got '{anchors}'); leave it out for {{data}}/audit-anchors");
        if (o.HeadDeadline < 2 * o.CheckpointInterval || o.HeadDeadline > TimeSpan.FromDays(7))
            errors.Add("Audit:HeadDeadline: must be at least twice Audit:CheckpointInterval and at most 7 days");
        if (o.ApiLogRetention < TimeSpan.FromDays(1) || o.ApiLogRetention > TimeSpan.FromDays(3650))
            errors.Add("Audit:ApiLogRetention: must be between 1 and 3650 days");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
