using Microsoft.Extensions.Options;

namespace Contacto.Tls;

/// <summary>
/// Section <c>Tls</c>. Either a PEM certificate and key, or a PFX, or nothing: then a local CA
/// under <c>{data}/tls</c> issues and renews the server certificate.
/// </summary>
public sealed class TlsOptions
{
    public const string Section = "Tls";

    public string? CertificatePath { get; set; }
    public string? KeyPath { get; set; }
    public string? PfxPath { get; set; }
    public string? PfxPassword { get; set; }

    /// <summary>Extra DNS names or IP addresses for the generated certificate.</summary>
    public string[] HostNames { get; set; } = [];

    public int ServerCertificateDays { get; set; } = 90;

    /// <summary>A generated certificate is reissued when fewer days than this remain.</summary>
    public int RenewBeforeDays { get; set; } = 30;

    public bool UsesGeneratedCertificate => CertificatePath is null && PfxPath is null;
}

sealed class TlsOptionsValidator : IValidateOptions<TlsOptions>
{
    public ValidateOptionsResult Validate(string? name, TlsOptions o)
    {
        var errors = new List<string>();
        if (o.CertificatePath is not null && o.PfxPath is not null)
            errors.Add("Tls:CertificatePath and Tls:PfxPath: set one, not both");
        if (o.CertificatePath is not null && o.KeyPath is null)
            errors.Add("Tls:KeyPath: required with Tls:CertificatePath");
        if (o.KeyPath is not null && o.CertificatePath is null)
            errors.Add("Tls:CertificatePath: required with Tls:KeyPath");
        foreach (var (key, path) in new[] { ("Tls:CertificatePath", o.CertificatePath), ("Tls:KeyPath", o.KeyPath), ("Tls:PfxPath", o.PfxPath) })
            if (path is not null && !File.Exists(path))
                errors.Add($"{key}: file '{path}' does not exist");
        if (o.ServerCertificateDays is < 2 or > 397)
            errors.Add($"Tls:ServerCertificateDays: must be between 2 and 397 (got {o.ServerCertificateDays})");
        if (o.RenewBeforeDays < 1 || o.RenewBeforeDays >= o.ServerCertificateDays)
            errors.Add($"Tls:RenewBeforeDays: must be at least 1 and less than Tls:ServerCertificateDays (got {o.RenewBeforeDays})");
        foreach (var host in o.HostNames)
            if (Uri.CheckHostName(host) == UriHostNameType.Unknown)
                errors.Add($"Tls:HostNames: '{host}' is not a host name or IP address");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
