using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Contacto.Testing;

/// <summary>Trusts exactly one CA (the server's generated one), as `curl --cacert` would.</summary>
public static class CaTrust
{
    public static RemoteCertificateValidationCallback Validator(string caPath)
    {
        var ca = X509CertificateLoader.LoadCertificateFromFile(caPath);
        return (_, certificate, _, errors) =>
        {
            if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                return false;
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return chain.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
        };
    }

    /// <param name="from">The loopback address to connect from (<see cref="LocalSource"/>); by default the system's choice.</param>
    public static HttpClient Client(string caPath, int port, string host = "localhost", System.Net.IPAddress? from = null) =>
        new(new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = Validator(caPath) },
            ConnectCallback = from is null ? null : LocalSource.ConnectFrom(from),
        })
        {
            BaseAddress = new Uri($"https://{host}:{port}/"),
            Timeout = TimeSpan.FromSeconds(30),
        };
}
