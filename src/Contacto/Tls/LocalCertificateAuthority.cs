using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Contacto.Platform;

namespace Contacto.Tls;

/// <summary>
/// A private CA kept under <c>{data}/tls</c> that issues the server certificate, so clients can
/// trust one stable file (<c>ca.crt</c>) while server certificates come and go. The CA is
/// name-constrained to the names it issues for (<see cref="NameConstraints"/>).
/// </summary>
internal sealed class LocalCertificateAuthority(string directory, TimeProvider time)
{
    static readonly TimeSpan CaLifetime = TimeSpan.FromDays(3650);
    static readonly TimeSpan ClockSkewAllowance = TimeSpan.FromHours(1);
    const string ServerAuthOid = "1.3.6.1.5.5.7.3.1";

    public string CaCertificatePath => Path.Combine(directory, "ca.crt");
    public string CaKeyPath => Path.Combine(directory, "ca.key");
    public string ServerCertificatePath => Path.Combine(directory, "server.crt");
    public string ServerKeyPath => Path.Combine(directory, "server.key");

    /// <summary>
    /// Loads the CA, creating it when there is none, when it would expire within
    /// <paramref name="mustOutlive"/>, or when its name constraints do not cover exactly
    /// <paramref name="names"/>. A CA made before name constraints existed is thus replaced once
    /// (a new key; clients must trust the new <c>ca.crt</c>), as is one when the host names change.
    /// </summary>
    public X509Certificate2 LoadOrCreateCa(TimeSpan mustOutlive, IReadOnlyCollection<string> names)
    {
        if (File.Exists(CaCertificatePath) && File.Exists(CaKeyPath))
        {
            var existing = X509Certificate2.CreateFromPemFile(CaCertificatePath, CaKeyPath);
            if (existing.NotAfter.ToUniversalTime() > time.GetUtcNow().UtcDateTime + mustOutlive && IsConstrainedTo(existing, names))
                return existing;
            existing.Dispose();
        }
        return CreateCa(names);
    }

    X509Certificate2 CreateCa(IReadOnlyCollection<string> names)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=Contacto Local CA {Environment.MachineName}, O=Contacto", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(new X509Extension(NameConstraintsOid, NameConstraints(names), critical: true));
        var now = time.GetUtcNow();
        var ca = request.CreateSelfSigned(now - ClockSkewAllowance, now + CaLifetime);
        DataDirectory.WriteOwnerOnly(CaKeyPath, System.Text.Encoding.ASCII.GetBytes(key.ExportPkcs8PrivateKeyPem()));
        DataDirectory.WriteOwnerOnly(CaCertificatePath, System.Text.Encoding.ASCII.GetBytes(ca.ExportCertificatePem()));
        return X509Certificate2.CreateFromPemFile(CaCertificatePath, CaKeyPath);
    }

    const string NameConstraintsOid = "2.5.29.30";

    /// <summary>
    /// RFC 5280 name constraints permitting exactly these names: each DNS name (and, as the rules
    /// go, names below it) and each IP address as a single-address range. A stolen CA key then
    /// signs nothing a client would accept for any other site.
    /// </summary>
    static byte[] NameConstraints(IEnumerable<string> names)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
            foreach (var name in Distinct(names))
                using (writer.PushSequence())
                {
                    if (IPAddress.TryParse(name, out var address))
                    {
                        var bytes = address.GetAddressBytes();
                        writer.WriteOctetString([.. bytes, .. Enumerable.Repeat((byte)0xFF, bytes.Length)], new Asn1Tag(TagClass.ContextSpecific, 7));
                    }
                    else
                        writer.WriteCharacterString(UniversalTagNumber.IA5String, name, new Asn1Tag(TagClass.ContextSpecific, 2));
                }
        return writer.Encode();
    }

    static IEnumerable<string> Distinct(IEnumerable<string> names) =>
        names.Select(n => IPAddress.TryParse(n, out var a) ? a.ToString() : n.ToLowerInvariant()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);

    /// <summary>True when the CA carries the name constraints it would be created with for <paramref name="names"/>.</summary>
    public static bool IsConstrainedTo(X509Certificate2 ca, IEnumerable<string> names) =>
        ca.Extensions[NameConstraintsOid] is { Critical: true } constraints && constraints.RawData.AsSpan().SequenceEqual(NameConstraints(names));

    /// <summary>Issues a server certificate for the given names and writes it with its key.</summary>
    public X509Certificate2 IssueServerCertificate(X509Certificate2 ca, IEnumerable<string> names, TimeSpan lifetime)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost, O=Contacto", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ServerAuthOid)], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        request.CertificateExtensions.Add(BuildSubjectAlternativeNames(names));

        var now = time.GetUtcNow();
        var notAfter = Min(now + lifetime, ca.NotAfter.ToUniversalTime());
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // a positive serial number, as RFC 5280 asks
        using var issued = request.Create(ca, now - ClockSkewAllowance, notAfter, serial);
        DataDirectory.WriteOwnerOnly(ServerKeyPath, System.Text.Encoding.ASCII.GetBytes(key.ExportPkcs8PrivateKeyPem()));
        DataDirectory.WriteOwnerOnly(ServerCertificatePath, System.Text.Encoding.ASCII.GetBytes(issued.ExportCertificatePem()));
        return X509Certificate2.CreateFromPemFile(ServerCertificatePath, ServerKeyPath);
    }

    static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    static X509Extension BuildSubjectAlternativeNames(IEnumerable<string> names)
    {
        var builder = new SubjectAlternativeNameBuilder();
        foreach (var name in names.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (IPAddress.TryParse(name, out var address))
                builder.AddIpAddress(address);
            else
                builder.AddDnsName(name);
        }
        return builder.Build();
    }

    /// <summary>True when the certificate names every one of <paramref name="names"/>.</summary>
    public static bool Covers(X509Certificate2 certificate, IEnumerable<string> names)
    {
        var raw = certificate.Extensions["2.5.29.17"];
        if (raw is null)
            return false;
        var extension = new X509SubjectAlternativeNameExtension(raw.RawData, raw.Critical);
        var dns = extension.EnumerateDnsNames().ToHashSet(StringComparer.OrdinalIgnoreCase);
        var ips = extension.EnumerateIPAddresses().ToHashSet();
        return names.All(n => IPAddress.TryParse(n, out var ip) ? ips.Contains(ip) : dns.Contains(n));
    }
}
