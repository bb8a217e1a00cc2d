using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Contacto.Tls;

/// <summary>
/// The one TLS policy of every listener and outbound connection: TLS 1.2 and 1.3 only, and for
/// 1.2 only ephemeral key exchange with AEAD ciphers, so no static-RSA, CBC, RC4 or export suite
/// can be negotiated.
/// </summary>
public static class TlsPolicy
{
    public const SslProtocols Protocols = SslProtocols.Tls12 | SslProtocols.Tls13;

    public static readonly TlsCipherSuite[] AllowedCipherSuites =
    [
        TlsCipherSuite.TLS_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    ];

    /// <summary>Null where the platform cannot restrict suites (only Linux lets a process choose them).</summary>
    public static CipherSuitesPolicy? CipherSuites { get; } =
        OperatingSystem.IsLinux() ? new CipherSuitesPolicy(AllowedCipherSuites) : null;

    public static void Apply(SslServerAuthenticationOptions options)
    {
        options.EnabledSslProtocols = Protocols;
        if (CipherSuites is not null)
            options.CipherSuitesPolicy = CipherSuites;
    }

    /// <summary>
    /// An outbound connection's options: this policy, and the peer's certificate checked against
    /// <paramref name="targetHost"/> and the system's roots, or only the CAs of
    /// <paramref name="caFile"/> (PEM) for a peer with a private CA.
    /// </summary>
    public static SslClientAuthenticationOptions Client(string targetHost, string? caFile = null)
    {
        var options = new SslClientAuthenticationOptions { TargetHost = targetHost, EnabledSslProtocols = Protocols };
        if (CipherSuites is not null)
            options.CipherSuitesPolicy = CipherSuites;
        if (caFile is not null)
        {
            var roots = new X509Certificate2Collection();
            roots.ImportFromPemFile(caFile);
            options.CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            options.CertificateChainPolicy.CustomTrustStore.AddRange(roots);
        }
        return options;
    }
}
