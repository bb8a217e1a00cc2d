using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Contacto.Testing;

/// <summary>A self-signed ECDSA P-256 certificate for 127.0.0.1, for TLS servers a test or bench starts on loopback.</summary>
public static class LoopbackCertificate
{
    /// <param name="key">The private key, for servers that read it apart (OpenSSL's); disposed by the caller.</param>
    public static X509Certificate2 Create(out ECDsa key)
    {
        key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    static readonly Lazy<X509Certificate2> receivers = new(() =>
    {
        using var created = Create(out var key);
        using (key)
            return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null); // Kestrel needs the key in the certificate's store form
    });

    /// <summary>One certificate for the fake https receivers of this test run; the harnesses' outbound clients trust it.</summary>
    public static X509Certificate2 Receivers => receivers.Value;

    /// <summary>Makes <paramref name="handler"/> trust exactly <paramref name="certificate"/> (besides nothing else it would not).</summary>
    public static void Trust(SocketsHttpHandler handler, X509Certificate2 certificate) =>
        handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == certificate.GetCertHashString();
}
