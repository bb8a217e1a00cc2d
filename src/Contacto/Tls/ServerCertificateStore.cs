using System.Net;
using System.Security.Cryptography.X509Certificates;
using Contacto.Platform;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Contacto.Tls;

/// <summary>
/// Holds the certificate every listener presents. Configured certificates are loaded as given;
/// otherwise the local CA issues one and <see cref="RenewIfDue"/> replaces it before it expires,
/// without a restart (listeners ask for <see cref="Current"/> on every handshake).
/// </summary>
public sealed partial class ServerCertificateStore
{
    readonly TlsOptions options;
    readonly TimeProvider time;
    readonly ILogger<ServerCertificateStore> logger;
    readonly Lazy<LocalCertificateAuthority?> authority;
    readonly Lock gate = new();
    X509Certificate2? current;

    public ServerCertificateStore(IOptions<TlsOptions> options, DataDirectory dataDirectory, TimeProvider time, ILogger<ServerCertificateStore> logger)
    {
        this.options = options.Value;
        this.time = time;
        this.logger = logger;
        authority = new(() => this.options.UsesGeneratedCertificate
            ? new LocalCertificateAuthority(dataDirectory.Ensure("tls"), time)
            : null);
    }

    /// <summary>Raised after a renewal with the new certificate.</summary>
    public event Action<X509Certificate2>? Renewed;

    /// <summary>The CA file clients should trust, or null when certificates come from configuration.</summary>
    public string? CaCertificatePath => authority.Value?.CaCertificatePath;

    public X509Certificate2 Current
    {
        get
        {
            lock (gate)
                return current ??= ReadyForHandshakes(LoadOrIssue());
        }
    }

    /// <summary>The names a generated certificate must carry: loopback, this host, configured names.</summary>
    public IReadOnlyList<string> RequiredNames =>
        ["localhost", IPAddress.Loopback.ToString(), IPAddress.IPv6Loopback.ToString(), Dns.GetHostName(), .. options.HostNames];

    /// <summary>Reissues a generated certificate that is within the renewal window. Returns true when it did.</summary>
    public bool RenewIfDue()
    {
        if (authority.Value is null)
            return false;
        X509Certificate2 renewed;
        lock (gate)
        {
            var certificate = current ??= ReadyForHandshakes(LoadOrIssue());
            if (!IsDue(certificate))
                return false;
            renewed = current = ReadyForHandshakes(Issue(authority.Value));
        }
        LogRenewed(renewed.NotAfter.ToUniversalTime());
        Renewed?.Invoke(renewed);
        return true;
    }

    bool IsDue(X509Certificate2 certificate) =>
        certificate.NotAfter.ToUniversalTime() - time.GetUtcNow().UtcDateTime < TimeSpan.FromDays(options.RenewBeforeDays);

    /// <summary>
    /// Decodes the extended key usage once, here under the lock. Kestrel checks it on every
    /// handshake, and .NET decodes it on first read without guarding against threads reading at
    /// once: in a burst of first handshakes some saw no usage for servers and were refused.
    /// </summary>
    static X509Certificate2 ReadyForHandshakes(X509Certificate2 certificate)
    {
        foreach (var usage in certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>())
            _ = usage.EnhancedKeyUsages;
        return certificate;
    }

    X509Certificate2 LoadOrIssue()
    {
        if (options.PfxPath is not null)
            return Validated(LoadConfigured("Tls:PfxPath", () => X509CertificateLoader.LoadPkcs12FromFile(options.PfxPath, options.PfxPassword)), "Tls:PfxPath");
        if (options.CertificatePath is not null)
            return Validated(LoadConfigured("Tls:CertificatePath", () => X509Certificate2.CreateFromPemFile(options.CertificatePath, options.KeyPath)), "Tls:CertificatePath");

        var ca = authority.Value!;
        if (File.Exists(ca.ServerCertificatePath) && File.Exists(ca.ServerKeyPath))
        {
            var existing = X509Certificate2.CreateFromPemFile(ca.ServerCertificatePath, ca.ServerKeyPath);
            if (!IsDue(existing) && LocalCertificateAuthority.Covers(existing, RequiredNames) && IsIssuedByCurrentCa(existing, ca))
                return existing;
            existing.Dispose();
        }
        return Issue(ca);
    }

    bool IsIssuedByCurrentCa(X509Certificate2 certificate, LocalCertificateAuthority ca)
    {
        if (!File.Exists(ca.CaCertificatePath))
            return false;
        using var caCertificate = X509CertificateLoader.LoadCertificateFromFile(ca.CaCertificatePath);
        // A replaced CA keeps its subject: only its key identifier tells which one signed.
        var issuerKey = certificate.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().SingleOrDefault()?.KeyIdentifier;
        var caKey = caCertificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().SingleOrDefault()?.SubjectKeyIdentifierBytes;
        return certificate.Issuer == caCertificate.Subject && issuerKey is { } a && caKey is { } b && a.Span.SequenceEqual(b.Span)
               && LocalCertificateAuthority.IsConstrainedTo(caCertificate, RequiredNames);
    }

    X509Certificate2 Issue(LocalCertificateAuthority ca)
    {
        var lifetime = TimeSpan.FromDays(options.ServerCertificateDays);
        using var caCertificate = ca.LoadOrCreateCa(mustOutlive: lifetime, RequiredNames);
        return ca.IssueServerCertificate(caCertificate, RequiredNames, lifetime);
    }

    static X509Certificate2 LoadConfigured(string key, Func<X509Certificate2> load)
    {
        try
        {
            return load();
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or IOException or ArgumentException)
        {
            // The library's message may quote file content; name the key and the kind of failure only.
            throw new ConfigurationException(key, $"cannot load the certificate ({e.GetType().Name})");
        }
    }

    X509Certificate2 Validated(X509Certificate2 certificate, string key)
    {
        if (!certificate.HasPrivateKey)
            throw new ConfigurationException(key, "the certificate has no private key");
        if (certificate.NotAfter.ToUniversalTime() <= time.GetUtcNow().UtcDateTime)
            throw new ConfigurationException(key, $"the certificate expired on {certificate.NotAfter.ToUniversalTime():u}");
        return certificate;
    }

    [LoggerMessage(EventId = 302, Level = LogLevel.Information, Message = "Renewed the server certificate; it now expires {NotAfter:u}")]
    partial void LogRenewed(DateTime notAfter);
}
