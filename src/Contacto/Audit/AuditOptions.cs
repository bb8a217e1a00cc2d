using Microsoft.Extensions.Options;

namespace Contacto.Audit;

/// <summary>Section <c>Audit</c>.</summary>
public sealed class AuditOptions
{
    public const string Section = "Audit";

    /// <summary>How often chain heads are signed.</summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMinutes(1);

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
        if (o.ApiLogRetention < TimeSpan.FromDays(1) || o.ApiLogRetention > TimeSpan.FromDays(3650))
            errors.Add("Audit:ApiLogRetention: must be between 1 and 3650 days");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
