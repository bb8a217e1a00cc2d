using Contacto.Status;
using MimeKit;
using Microsoft.Extensions.Options;

namespace Contacto.Status.Incidents.Paging;

internal enum PageTargetKind
{
    PagerDuty,
    Webhook,
    Email,
}

/// <summary>
/// Section <c>Paging</c>: where incidents are sent. A P1 pages <see cref="Escalation"/>'s first
/// target at once and the next one each <see cref="EscalateAfterSeconds"/> while nobody
/// acknowledges; every incident is told to the <see cref="Notify"/> targets, without paging.
/// </summary>
internal sealed class PagingOptions
{
    public const string Section = "Paging";

    public Dictionary<string, PageTargetOptions> Targets { get; set; } = new(StringComparer.Ordinal);
    public List<string> Escalation { get; set; } = [];
    public List<string> Notify { get; set; } = [];
    public int EscalateAfterSeconds { get; set; } = 900;
    public int MaxAttempts { get; set; } = 12;
    public int RetryBaseSeconds { get; set; } = 15;
    public int RetryMaxSeconds { get; set; } = 1800;
    public int PollSeconds { get; set; } = 5;

    /// <summary>PagerDuty's <c>payload.source</c>: this installation.</summary>
    public string Source { get; set; } = Environment.MachineName;
}

internal sealed class PageTargetOptions
{
    public const string PagerDutyEventsUrl = "https://events.pagerduty.com/v2/enqueue";

    public PageTargetKind Kind { get; set; }

    /// <summary>PagerDuty: the Events API v2 endpoint (default above). Webhook: where to post.</summary>
    public string? Url { get; set; }

    /// <summary>PagerDuty: the service's integration key.</summary>
    public string? RoutingKey { get; set; }

    /// <summary>Webhook: the HMAC-SHA256 key for the signature header.</summary>
    public string? Secret { get; set; }

    /// <summary>Webhook: send Slack's incoming-webhook body (<c>{"text": ...}</c>) instead of Contacto's.</summary>
    public bool Slack { get; set; }

    /// <summary>Email: the recipients.</summary>
    public List<string> To { get; set; } = [];
}

/// <summary>Checks every setting; messages name the key and never repeat a secret.</summary>
sealed class PagingOptionsValidator(IOptions<Mail.SmtpOptions> smtpOptions) : IValidateOptions<PagingOptions>
{
    const string S = PagingOptions.Section;

    public ValidateOptionsResult Validate(string? name, PagingOptions o)
    {
        var errors = new List<string>();
        foreach (var (targetName, target) in o.Targets)
            CheckTarget(errors, $"{S}:Targets:{targetName}", target, smtpOptions.Value);
        CheckNames(errors, "Escalation", o.Escalation, o.Targets);
        CheckNames(errors, "Notify", o.Notify, o.Targets);
        foreach (var (key, value, min, max) in new[]
                 {
                     ("EscalateAfterSeconds", o.EscalateAfterSeconds, 1, 86400), ("MaxAttempts", o.MaxAttempts, 1, 1000),
                     ("RetryBaseSeconds", o.RetryBaseSeconds, 1, 86400), ("RetryMaxSeconds", o.RetryMaxSeconds, 1, 86400 * 7),
                     ("PollSeconds", o.PollSeconds, 1, 3600),
                 })
            if (value < min || value > max)
                errors.Add($"{S}:{key}: must be between {min} and {max} (got {value})");
        if (string.IsNullOrWhiteSpace(o.Source) || o.Source.Length > 255)
            errors.Add($"{S}:Source: must be 1 to 255 characters");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    static void CheckNames(List<string> errors, string key, List<string> names, Dictionary<string, PageTargetOptions> targets)
    {
        foreach (var targetName in names.Where(n => !targets.ContainsKey(n)))
            errors.Add($"{S}:{key}: '{targetName}' is not one of {S}:Targets");
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Count)
            errors.Add($"{S}:{key}: names a target twice");
    }

    /// <summary>Pages leave only over TLS, as OpenID Connect traffic does.</summary>
    internal static bool IsHttpsUrl(string url) => Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps;

    static void CheckTarget(List<string> errors, string key, PageTargetOptions target, Mail.SmtpOptions smtp)
    {
        switch (target.Kind)
        {
            case PageTargetKind.PagerDuty:
                if (string.IsNullOrWhiteSpace(target.RoutingKey) || target.RoutingKey.Length > 64)
                    errors.Add($"{key}:RoutingKey: required for PagerDuty (the integration key, at most 64 characters)");
                if (target.Url is not null && !IsHttpsUrl(target.Url))
                    errors.Add($"{key}:Url: must be an absolute https URL (a page carries the routing key)");
                break;
            case PageTargetKind.Webhook:
                if (target.Url is null || !IsHttpsUrl(target.Url))
                    errors.Add($"{key}:Url: required, an absolute https URL (plain http would expose the page and its signature)");
                if (target.Secret is not { Length: >= 16 })
                    errors.Add($"{key}:Secret: required, at least 16 characters");
                break;
            case PageTargetKind.Email:
                if (target.To.Count == 0 || !target.To.All(a => MailboxAddress.TryParse(a, out _)))
                    errors.Add($"{key}:To: needs one or more valid e-mail addresses");
                if (string.IsNullOrWhiteSpace(smtp.Host))
                    errors.Add($"{Mail.SmtpOptions.Section}:Host: required for e-mail targets");
                break;
            default:
                errors.Add($"{key}:Kind: must be one of {string.Join(", ", Enum.GetNames<PageTargetKind>())}");
                break;
        }
    }
}
