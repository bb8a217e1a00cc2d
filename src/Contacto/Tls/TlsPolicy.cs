using System.Net.Security;
using System.Security.Authentication;

namespace Contacto.Tls;

/// <summary>
/// The one TLS policy of every listener: TLS 1.2 and 1.3 only, and for 1.2 only ephemeral key
/// exchange with AEAD ciphers, so no static-RSA, CBC, RC4 or export suite can be negotiated.
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
}
