using System.Net;
using Microsoft.Extensions.Options;

namespace Contacto.Webhooks;

/// <summary>Section <c>Webhooks</c>.</summary>
internal sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>
    /// Networks (CIDR, e.g. <c>10.20.0.0/16</c>) that callbacks may reach although they are
    /// private, loopback or otherwise refused: the operator's deliberate exceptions.
    /// </summary>
    public string[] AllowedNetworks { get; set; } = [];

    /// <summary>One deadline for each attempt: resolving the host, connecting, TLS, every redirect and reading the answer.</summary>
    public int TimeoutSeconds { get; set; } = 15;

    /// <summary>Retries stop this long after the callback was first due.</summary>
    public TimeSpan RetryFor { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// At most this many callbacks of one account in flight to one host, so a slow endpoint delays
    /// only itself, unless the account set its own (<see cref="WebhookEndpoints"/>).
    /// </summary>
    public int MaxConcurrentPerHost { get; set; } = 4;

    /// <summary>The most an account may set for itself.</summary>
    public int MaxConcurrentPerHostLimit { get; set; } = 256;

    public int MaxRedirects { get; set; } = 3;

    /// <summary>Deliveries a node holds at once (sending, or waiting for their host), across all accounts.</summary>
    public int MaxInFlight { get; set; } = 2048;

    /// <summary>How long a claim keeps other nodes off a delivery; after a crash its callbacks wait this long.</summary>
    public int ClaimLeaseSeconds { get; set; } = 120;
}

sealed class WebhookOptionsValidator : IValidateOptions<WebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookOptions o)
    {
        var errors = new List<string>();
        foreach (var network in o.AllowedNetworks)
            if (!IPNetwork.TryParse(network, out _))
                errors.Add($"Webhooks:AllowedNetworks: '{network}' is not a network in CIDR form (e.g. 10.20.0.0/16)");
        if (o.TimeoutSeconds is < 1 or > 120)
            errors.Add($"Webhooks:TimeoutSeconds: must be between 1 and 120 (got {o.TimeoutSeconds})");
        if (o.RetryFor < TimeSpan.FromMinutes(1) || o.RetryFor > TimeSpan.FromDays(7))
            errors.Add("Webhooks:RetryFor: must be between 00:01:00 and 7.00:00:00");
        if (o.MaxConcurrentPerHost is < 1 or > 100)
            errors.Add($"Webhooks:MaxConcurrentPerHost: must be between 1 and 100 (got {o.MaxConcurrentPerHost})");
        if (o.MaxConcurrentPerHostLimit < o.MaxConcurrentPerHost || o.MaxConcurrentPerHostLimit > 10_000)
            errors.Add($"Webhooks:MaxConcurrentPerHostLimit: must be between Webhooks:MaxConcurrentPerHost and 10000 (got {o.MaxConcurrentPerHostLimit})");
        if (o.MaxInFlight is < 16 or > 100_000)
            errors.Add($"Webhooks:MaxInFlight: must be between 16 and 100000 (got {o.MaxInFlight})");
        if (o.ClaimLeaseSeconds < 2 * o.TimeoutSeconds + 10 || o.ClaimLeaseSeconds > 3600)
            errors.Add($"Webhooks:ClaimLeaseSeconds: must be between twice Webhooks:TimeoutSeconds plus 10 and 3600 (got {o.ClaimLeaseSeconds})");
        if (o.MaxRedirects is < 0 or > 10)
            errors.Add($"Webhooks:MaxRedirects: must be between 0 and 10 (got {o.MaxRedirects})");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
