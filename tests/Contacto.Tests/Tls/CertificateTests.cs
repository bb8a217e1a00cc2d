using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Contacto.Platform;
using Contacto.Storage;
using Contacto.Testing;
using Contacto.Tls;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Contacto.Tests.Tls;

public sealed class CertificateTests
{
    static ServerCertificateStore Store(string dataDir, TimeProvider time, TlsOptions? options = null) =>
        new(Options.Create(options ?? new TlsOptions()), new DataDirectory(Options.Create(new PlatformOptions { DataDir = dataDir })),
            time, NullLogger<ServerCertificateStore>.Instance);

    [Fact]
    public void The_generated_certificate_names_loopback_the_host_and_configured_names_and_chains_to_the_CA()
    {
        using var data = new TempDirectory();
        var store = Store(data.Combine("data"), TimeProvider.System, new TlsOptions { HostNames = ["api.contacto.test", "192.0.2.10"] });

        var certificate = store.Current;

        Assert.True(LocalCertificateAuthority.Covers(certificate, ["localhost", "127.0.0.1", "::1", Dns.GetHostName(), "api.contacto.test", "192.0.2.10"]));
        Assert.False(LocalCertificateAuthority.Covers(certificate, ["elsewhere.test"]));
        Assert.True(certificate.HasPrivateKey);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(X509CertificateLoader.LoadCertificateFromFile(store.CaCertificatePath!));
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(chain.Build(certificate));
    }

    [Fact]
    public void The_local_CA_is_name_constrained_to_the_names_it_issues_for()
    {
        using var data = new TempDirectory();
        var store = Store(data.Combine("data"), TimeProvider.System, new TlsOptions { HostNames = ["api.contacto.test", "192.0.2.10"] });
        Assert.True(ChainsTo(store.CaCertificatePath!, store.Current));
        using var ca = X509Certificate2.CreateFromPemFile(store.CaCertificatePath!, Path.Combine(Path.GetDirectoryName(store.CaCertificatePath)!, "ca.key"));
        Assert.True(ca.Extensions["2.5.29.30"]?.Critical, "the CA has no critical name constraints");

        // What the CA's key would sign, if it were stolen: accepted only for the names it is for.
        var elsewhere = new LocalCertificateAuthority(Directory.CreateDirectory(data.Combine("elsewhere")).FullName, TimeProvider.System);
        bool Accepted(string name) => ChainsTo(store.CaCertificatePath!, elsewhere.IssueServerCertificate(ca, [name], TimeSpan.FromDays(1)));
        Assert.True(Accepted("api.contacto.test"));
        Assert.True(Accepted("192.0.2.10"));
        Assert.False(Accepted("bank.example"));
        Assert.False(Accepted("www.bank.example"));
        Assert.False(Accepted("198.51.100.7"));
    }

    [Fact]
    public void A_CA_made_without_name_constraints_is_replaced_once_and_the_server_certificate_chains_to_the_new_one()
    {
        using var data = new TempDirectory();
        Directory.CreateDirectory(data.Combine("data"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var tls = Directory.CreateDirectory(data.Combine("data", "tls"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName;
        var names = Store(data.Combine("data"), TimeProvider.System).RequiredNames;
        using (var key = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            // A CA as earlier versions made it: no name constraints.
            var request = new CertificateRequest("CN=Contacto Local CA old, O=Contacto", key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            using var old = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddYears(5));
            File.WriteAllText(Path.Combine(tls, "ca.crt"), old.ExportCertificatePem());
            File.WriteAllText(Path.Combine(tls, "ca.key"), key.ExportPkcs8PrivateKeyPem());
            new LocalCertificateAuthority(tls, TimeProvider.System).IssueServerCertificate(old, names, TimeSpan.FromDays(90));
        }
        var oldCa = File.ReadAllText(Path.Combine(tls, "ca.crt"));

        var store = Store(data.Combine("data"), TimeProvider.System);
        var current = store.Current;
        var newCa = File.ReadAllText(store.CaCertificatePath!);
        Assert.NotEqual(oldCa, newCa);
        Assert.True(LocalCertificateAuthority.IsConstrainedTo(X509CertificateLoader.LoadCertificateFromFile(store.CaCertificatePath!), names));
        Assert.True(ChainsTo(store.CaCertificatePath!, current));

        var restarted = Store(data.Combine("data"), TimeProvider.System).Current;
        Assert.Equal(current.Thumbprint, restarted.Thumbprint);
        Assert.Equal(newCa, File.ReadAllText(store.CaCertificatePath!));
    }

    static bool ChainsTo(string caPath, X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(X509CertificateLoader.LoadCertificateFromFile(caPath));
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    [Fact]
    public void Handshakes_that_start_at_once_all_see_the_certificate_is_for_server_use()
    {
        // Kestrel checks the certificate's extended key usage on every handshake, and .NET decodes
        // that extension lazily, unsafely for threads racing on a certificate's first read: the
        // first burst of connections after a start or a renewal could be refused.
        using var data = new TempDirectory();
        for (var round = 0; round < 300; round++)
        {
            var certificate = Store(data.Combine("data"), TimeProvider.System).Current;
            var allowed = new bool[Environment.ProcessorCount + 1];
            using var start = new Barrier(allowed.Length);
            var threads = Enumerable.Range(0, allowed.Length).Select(i => new Thread(() =>
            {
                start.SignalAndWait();
                allowed[i] = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>()
                    .Any(e => e.EnhancedKeyUsages.Cast<Oid>().Any(oid => oid.Value == "1.3.6.1.5.5.7.3.1"));
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            Assert.All(allowed, Assert.True);
        }
    }

    [Fact]
    public void The_certificate_is_reused_across_restarts_and_reissued_when_the_names_change()
    {
        using var data = new TempDirectory();
        var first = Store(data.Combine("data"), TimeProvider.System).Current;
        var again = Store(data.Combine("data"), TimeProvider.System).Current;
        var renamed = Store(data.Combine("data"), TimeProvider.System, new TlsOptions { HostNames = ["new.contacto.test"] }).Current;

        Assert.Equal(first.Thumbprint, again.Thumbprint);
        Assert.NotEqual(first.Thumbprint, renamed.Thumbprint);
        Assert.True(LocalCertificateAuthority.Covers(renamed, ["new.contacto.test"]));
    }

    [Fact]
    public void A_certificate_is_renewed_only_within_the_renewal_window_and_the_CA_stays()
    {
        using var data = new TempDirectory();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = Store(data.Combine("data"), time, new TlsOptions { ServerCertificateDays = 90, RenewBeforeDays = 30 });
        var original = store.Current;
        var caBefore = File.ReadAllText(store.CaCertificatePath!);

        time.Advance(TimeSpan.FromDays(59));
        Assert.False(store.RenewIfDue());
        Assert.Equal(original.Thumbprint, store.Current.Thumbprint);

        time.Advance(TimeSpan.FromDays(2));
        Assert.True(store.RenewIfDue());
        Assert.NotEqual(original.SerialNumber, store.Current.SerialNumber);
        Assert.True(store.Current.NotAfter > original.NotAfter.AddDays(60));
        Assert.Equal(caBefore, File.ReadAllText(store.CaCertificatePath!));
    }

    [Fact]
    public async Task A_running_server_presents_the_renewed_certificate_without_a_restart()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await RunningServer.StartAsync(storage, RunningServer.OnAFakeClock, configure: b => b.Services.Replace(ServiceDescriptor.Singleton<TimeProvider>(time)));
        var before = await PresentedCertificateAsync(server.PublicPort);

        // The wall clock moves on; the server's timers are left alone (advancing them by 61 days
        // would fire each periodic one once per period skipped, millions of times).
        time.AdjustTime(time.GetUtcNow().AddDays(61));
        server.Services.GetRequiredService<ServerCertificateStore>().RenewIfDue();

        var after = await PresentedCertificateAsync(server.PublicPort);
        Assert.NotEqual(before.SerialNumber, after.SerialNumber);
        Assert.True(after.NotAfter > before.NotAfter);
    }

    [Fact]
    public async Task The_hourly_check_renews_a_certificate_that_falls_due()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        var time = new ObservedTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await RunningServer.StartAsync(storage, RunningServer.OnAFakeClock, configure: b => b.Services.Replace(ServiceDescriptor.Singleton<TimeProvider>(time)));
        var store = server.Services.GetRequiredService<ServerCertificateStore>();
        var original = store.Current.SerialNumber;
        var renewed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        store.Renewed += _ => renewed.TrySetResult();

        await time.WaitForTimerAsync((_, period) => period == TimeSpan.FromHours(1)); // the hourly check is waiting
        time.AdjustTime(time.GetUtcNow().AddDays(61)); // the wall clock enters the renewal window, timers untouched
        time.Advance(TimeSpan.FromHours(1)); // and the hourly check's next tick comes

        await renewed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.NotEqual(original, store.Current.SerialNumber);
    }

    [Theory]
    [InlineData("pem")]
    [InlineData("pfx")]
    public async Task A_configured_certificate_is_served_as_given(string format)
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        using var issuer = new TempDirectory();
        var authority = new LocalCertificateAuthority(issuer.Path, TimeProvider.System);
        using var ca = authority.LoadOrCreateCa(TimeSpan.FromDays(30), ["localhost", "127.0.0.1"]);
        using var leaf = authority.IssueServerCertificate(ca, ["localhost", "127.0.0.1"], TimeSpan.FromDays(30));
        string[] tlsArguments;
        if (format == "pem")
        {
            tlsArguments = ["--Tls:CertificatePath", authority.ServerCertificatePath, "--Tls:KeyPath", authority.ServerKeyPath];
        }
        else
        {
            var pfx = issuer.Combine("server.pfx");
            File.WriteAllBytes(pfx, leaf.Export(X509ContentType.Pkcs12, "s3cret-pfx"));
            tlsArguments = ["--Tls:PfxPath", pfx, "--Tls:PfxPassword", "s3cret-pfx"];
        }

        await using var server = await RunningServer.StartAsync(storage, tlsArguments, trustedCaPath: authority.CaCertificatePath);

        var presented = await PresentedCertificateAsync(server.PublicPort);
        Assert.Equal(leaf.Thumbprint, presented.Thumbprint);
        using var response = await server.Ops.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(Directory.Exists(Path.Combine(storage.DataDir, "tls")));
    }

    [Fact]
    public async Task A_configured_certificate_without_its_key_or_expired_is_refused()
    {
        using var data = new TempDirectory();
        using var key = ECDsa.Create();
        var request = new CertificateRequest("CN=expired", key, HashAlgorithmName.SHA256);
        using var expired = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddDays(-1));
        var pfx = data.Combine("expired.pfx");
        File.WriteAllBytes(pfx, expired.Export(X509ContentType.Pkcs12));
        var error = new StringWriter();

        var exitCode = await Contacto.Server.ContactoServer.RunAsync(
            ["--data-dir", data.Combine("data"), "--public-url", "https://127.0.0.1:0", "--ops-url", "https://127.0.0.1:0", "--Tls:PfxPath", pfx],
            TextWriter.Null, error);

        Assert.Equal(2, exitCode);
        Assert.Contains("Tls:PfxPath", error.ToString());
        Assert.Contains("expired", error.ToString());
    }

    static async Task<X509Certificate2> PresentedCertificateAsync(int port)
    {
        X509Certificate2? presented = null;
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        await using var tls = new SslStream(client.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            // Capture, not judge: the renewal test moves the server's clock ahead of this one.
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                presented = X509CertificateLoader.LoadCertificate(certificate!.GetRawCertData());
                return true;
            },
        });
        return presented!;
    }
}
