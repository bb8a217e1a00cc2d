using System.Globalization;
using Contacto.CarrierSim;
using Contacto.Storage;
using Contacto.Tests.Messaging;
using Contacto.Tests.Status;
using Contacto.Testing;
using Contacto.Tls;
using Microsoft.Extensions.Logging;

namespace Contacto.Tests.Carriers;

/// <summary>Carriers are reached over TLS unless their settings say otherwise, and saying so shows.</summary>
public sealed class CarrierTlsTests : IAsyncDisposable
{
    static readonly TimeSpan Within = TimeSpan.FromSeconds(30);
    static readonly string[] Delivered = ["delivered"];

    readonly TempDirectory directory = new();
    readonly SmscSimulator secure;
    readonly SmscSimulator plain = new();

    public CarrierTlsTests()
    {
        var authority = new LocalCertificateAuthority(directory.Path, TimeProvider.System);
        var ca = authority.LoadOrCreateCa(TimeSpan.FromDays(1), ["127.0.0.1"]);
        secure = new SmscSimulator(new SmscSimulatorOptions { TlsCertificate = authority.IssueServerCertificate(ca, ["127.0.0.1"], TimeSpan.FromDays(1)) });
        secure.Start();
        plain.Start();
        CaFile = authority.CaCertificatePath;
    }

    string CaFile { get; }

    [Fact]
    public async Task A_carrier_configured_without_a_word_on_TLS_is_reached_over_TLS_and_one_that_speaks_in_clear_is_not_bound()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var server = await RunningServer.StartAsync(storage,
            [.. Carrier(0, "secure", secure, "--Carriers:List:0:TlsCaFile", CaFile), .. Carrier(1, "plain", plain, "--Carriers:List:1:TlsCaFile", CaFile)]);
        var sender = await MessagingHarness.CreateAsync(server);

        var ids = await sender.SendAsync([.. Enumerable.Range(0, 20).Select(MessagingHarness.Destination)]);

        MessagingHarness.AssertAll(await sender.WaitForStatesAsync(ids, Delivered, Within), 20, Delivered);
        Assert.Equal(20, secure.Statistics.SubmitsAccepted);
        Assert.Equal(0, plain.Statistics.BindsAccepted);
        var metrics = await server.Ops.GetStringAsync("/metrics");
        Assert.Matches(@"contacto_carrier_tls\{[^}]*carrier=""secure""[^}]*\} 1\b", metrics);
        Assert.Matches(@"contacto_carrier_binds_up\{[^}]*carrier=""plain""[^}]*\} 0\b", metrics);
    }

    [Fact]
    public async Task A_carrier_set_to_speak_in_clear_is_warned_about_at_start_and_shows_in_the_metrics()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        var logs = new RecordedLogs();
        await using var server = await RunningServer.StartAsync(storage,
            [.. Carrier(0, "secure", secure, "--Carriers:List:0:TlsCaFile", CaFile), .. Carrier(1, "plain", plain, "--Carriers:List:1:Tls", "false")],
            builder => builder.Logging.AddProvider(logs));
        var sender = await MessagingHarness.CreateAsync(server);

        MessagingHarness.AssertAll(await sender.WaitForStatesAsync(await sender.SendAsync(MessagingHarness.Destination(1)), Delivered, Within), 1, Delivered);

        Assert.Contains(logs.Lines, l => l.StartsWith("Warning") && l.Contains("Carrier plain connects without TLS"));
        Assert.DoesNotContain(logs.Lines, l => l.Contains("Carrier secure connects without TLS"));
        var metrics = await server.Ops.GetStringAsync("/metrics");
        Assert.Matches(@"contacto_carrier_tls\{[^}]*carrier=""plain""[^}]*\} 0\b", metrics);
    }

    [Fact]
    public async Task The_embedded_simulated_carriers_are_reached_over_TLS_with_the_generated_certificate()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var server = await RunningServer.StartAsync(storage);
        var sender = await MessagingHarness.CreateAsync(server);

        MessagingHarness.AssertAll(await sender.WaitForStatesAsync(await sender.SendAsync(MessagingHarness.Destination(1)), Delivered, Within), 1, Delivered);

        var metrics = await server.Ops.GetStringAsync("/metrics");
        Assert.Matches(@"contacto_carrier_tls\{[^}]*carrier=""sim-a""[^}]*\} 1\b", metrics);
        Assert.Matches(@"contacto_carrier_tls\{[^}]*carrier=""sim-b""[^}]*\} 1\b", metrics);
    }

    static string[] Carrier(int index, string name, SmscSimulator simulator, params string[] more) =>
    [
        $"--Carriers:List:{index}:Name", name, $"--Carriers:List:{index}:Host", "127.0.0.1",
        $"--Carriers:List:{index}:Port", simulator.Port.ToString(CultureInfo.InvariantCulture),
        $"--Carriers:List:{index}:Smpp:SystemId", "contacto", .. more,
    ];

    public async ValueTask DisposeAsync()
    {
        await secure.DisposeAsync();
        await plain.DisposeAsync();
        directory.Dispose();
    }
}
