using System.Text.Json;
using Contacto.Carriers;
using Contacto.CarrierSim;
using Contacto.Platform;
using Contacto.Status;
using Contacto.Storage;
using Contacto.Tests.Status;
using Contacto.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace Contacto.Tests.Carriers;

/// <summary>
/// The <c>Carriers</c> section changes in a watched JSON file while the server runs: carriers are
/// added, removed, reweighted and moved without a restart, and messages keep flowing.
/// </summary>
public sealed class CarrierReloadTests : IAsyncDisposable
{
    static readonly TimeSpan Within = TimeSpan.FromSeconds(30);
    static readonly string[] Delivered = ["delivered"];

    readonly SmscSimulator[] simulators = [.. Enumerable.Range(0, 4).Select(_ => new SmscSimulator())];

    public CarrierReloadTests()
    {
        foreach (var simulator in simulators)
            simulator.Start();
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task A_carrier_added_and_one_removed_take_effect_and_no_message_is_lost(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        var file = storage.Directory.Combine("carriers.json");
        WriteCarriers(file, ("alpha", 0, 1), ("beta", 1, 1));
        await using var server = await StartAsync(storage, file);
        var pool = server.Services.GetRequiredService<CarrierPool>();
        var sender = await MessagingHarness.CreateAsync(server);
        MessagingHarness.AssertAll(await sender.WaitForStatesAsync(await sender.SendAsync(Destinations(0, 20)), Delivered, Within), 20, Delivered);

        var during = await sender.SendAsync(Destinations(100, 100));
        await ReconfigureAsync(pool, () => WriteCarriers(file, ("beta", 1, 1), ("gamma", 2, 1)), ["beta", "gamma"]);
        var alphaAfterDrain = simulators[0].Statistics.SubmitsAccepted;
        var after = await sender.SendAsync(Destinations(200, 100));

        MessagingHarness.AssertAll(await sender.WaitForStatesAsync(after, Delivered, Within), 100, Delivered);
        // Sent through alpha while it drained: a receipt it had not passed on yet stays with it.
        MessagingHarness.AssertAll(await sender.WaitForStatesAsync(during, Delivered, Within), 100, "sent", "delivered");
        Assert.Equal(alphaAfterDrain, simulators[0].Statistics.SubmitsAccepted);
        Assert.True(simulators[2].Statistics.SubmitsAccepted > 0, "the added carrier takes traffic");
        Assert.True(simulators.Sum(s => s.Statistics.SubmitsAccepted) >= 220, "every message reached a carrier");
    }

    [Fact]
    public async Task A_weight_change_keeps_the_binds_and_a_new_port_binds_again()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        var file = storage.Directory.Combine("carriers.json");
        WriteCarriers(file, ("alpha", 0, 1), ("beta", 1, 1));
        await using var server = await StartAsync(storage, file);
        var pool = server.Services.GetRequiredService<CarrierPool>();
        await Task.WhenAll(pool.Carriers.Select(r => r.Connection.WaitUntilReadyAsync()).ToArray()).WaitAsync(Within);
        var beta = pool.Carriers.Single(r => r.Name == "beta");
        var betaBinds = simulators[1].Statistics.BindsAccepted;

        await ReconfigureAsync(pool, () => WriteCarriers(file, ("alpha", 0, 1), ("beta", 1, 7)), ["alpha", "beta"], () => beta.Weight == 7);

        Assert.Same(beta, pool.Carriers.Single(r => r.Name == "beta"));
        Assert.Equal(betaBinds, simulators[1].Statistics.BindsAccepted);

        await ReconfigureAsync(pool, () => WriteCarriers(file, ("alpha", 0, 1), ("beta", 3, 7)), ["alpha", "beta"], () => pool.Carriers.Single(r => r.Name == "beta") != beta);
        var oldAddress = simulators[1].Statistics.SubmitsAccepted;
        var sender = await MessagingHarness.CreateAsync(server);
        MessagingHarness.AssertAll(await sender.WaitForStatesAsync(await sender.SendAsync(Destinations(0, 50)), Delivered, Within), 50, Delivered);

        Assert.Equal(oldAddress, simulators[1].Statistics.SubmitsAccepted);
        Assert.True(simulators[3].Statistics.SubmitsAccepted > 0, "beta's new address takes its share");
    }

    [Fact]
    public async Task Countries_short_of_carriers_are_reported_at_start_and_after_a_change_without_credentials_in_the_log()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        var file = storage.Directory.Combine("carriers.json");
        WriteCarriers(file, ("alpha", 0, 1, ["PT", "ES"], "secret"), ("beta", 1, 1, ["PT"], "secret"));
        var logs = new RecordedLogs();
        await using var server = await RunningServer.StartAsync(storage, ["--environment", "Production", "--Logging:LogLevel:Contacto.Carriers", "Information"], builder =>
        {
            builder.Configuration.AddPolledJsonFile(file, optional: false);
            builder.Logging.AddProvider(logs);
        });
        var pool = server.Services.GetRequiredService<CarrierPool>();
        var health = server.Services.GetServices<IComponentStatusSource>().OfType<CarrierHealthSource>().Single();
        await Task.WhenAll(pool.Carriers.Select(r => r.Connection.WaitUntilReadyAsync())).WaitAsync(Within);

        Assert.Contains(logs.Lines, l => l.StartsWith("Warning") && l.Contains("fewer than 2 sms carriers configured: ES (1), every other country (0)"));
        Assert.Equal(ComponentStatus.DegradedPerformance, await StatusOfAsync(health, "ES"));
        Assert.Equal(ComponentStatus.Operational, await StatusOfAsync(health, "PT"));
        var metrics = await server.Ops.GetStringAsync("/metrics");
        Assert.Matches(@"contacto_carrier_country_carriers\{[^}]*country=""ES""[^}]*\} 1\b", metrics);
        Assert.Matches(@"contacto_carrier_country_carriers\{[^}]*country=""PT""[^}]*\} 2\b", metrics);

        await ReconfigureAsync(pool, () => WriteCarriers(file, ("alpha", 0, 1, ["PT", "ES"], "secret"), ("beta", 1, 1, ["PT", "ES"], "newpass")), ["alpha", "beta"],
            () => pool.Coverage[CarrierProducts.Sms].GetValueOrDefault("ES") == 2);
        // New credentials mean new binds: the country is whole again once beta's are up.
        await Task.WhenAll(pool.Carriers.Select(r => r.Connection.WaitUntilReadyAsync())).WaitAsync(Within);

        Assert.Equal(ComponentStatus.Operational, await StatusOfAsync(health, "ES"));
        Assert.Contains(logs.Lines, l => l.Contains("Carrier beta changed (Countries, credentials)"));
        Assert.Contains(logs.Lines, l => l.Contains("fewer than 2 sms carriers configured: every other country (0)"));
        Assert.DoesNotContain(logs.Lines, l => l.Contains("secret") || l.Contains("newpass"));
    }

    static async Task<ComponentStatus> StatusOfAsync(CarrierHealthSource health, string country) =>
        (await health.ObserveAsync(CancellationToken.None)).Single(o => o.Subject == MonitorSubjects.Messaging(country)).Status;

    [Fact]
    public async Task An_invalid_change_is_refused_with_its_reason_and_a_later_valid_one_applies()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        var file = storage.Directory.Combine("carriers.json");
        WriteCarriers(file, ("alpha", 0, 1), ("beta", 1, 1));
        var logs = new RecordedLogs();
        await using var server = await RunningServer.StartAsync(storage, configure: builder =>
        {
            builder.Configuration.AddPolledJsonFile(file, optional: false);
            builder.Logging.AddProvider(logs);
        });
        var pool = server.Services.GetRequiredService<CarrierPool>();
        var before = pool.Carriers.ToList();

        WriteCarriers(file, ("alpha", 0, 1), ("beta", 1, 0));
        using (var deadline = new CancellationTokenSource(Within))
        using (var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(50)))
            while (!logs.Lines.Any(l => l.Contains("The changed Carriers section is refused")))
                await tick.WaitForNextTickAsync(deadline.Token);

        Assert.Contains(logs.Lines, l => l.Contains("refused") && l.Contains("Carriers:List:1:Weight must be from 1 to 1000"));
        Assert.Equal(before, pool.Carriers);
        var sender = await MessagingHarness.CreateAsync(server);
        MessagingHarness.AssertAll(await sender.WaitForStatesAsync(await sender.SendAsync(Destinations(0, 10)), Delivered, Within), 10, Delivered);

        await ReconfigureAsync(pool, () => WriteCarriers(file, ("alpha", 0, 1), ("gamma", 2, 1)), ["alpha", "gamma"]);
    }

    [Fact]
    public async Task The_server_watches_its_appsettings_files()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var server = await RunningServer.StartAsync(storage);

        var files = ((IConfigurationRoot)server.App.Configuration).Providers.OfType<JsonConfigurationProvider>().ToList();

        Assert.NotEmpty(files);
        Assert.All(files, f => Assert.True(f.Source.ReloadOnChange, $"{f.Source.Path} is watched"));
        // Polled, not watched through inotify, whose per-user budget a few servers would use up.
        Assert.All(files, f => Assert.True(Assert.IsType<PhysicalFileProvider>(f.Source.FileProvider).UseActivePolling));
    }

    Task<RunningServer> StartAsync(TestStorage storage, string file) =>
        RunningServer.StartAsync(storage, configure: builder => builder.Configuration.AddPolledJsonFile(file, optional: false));

    static string[] Destinations(int first, int count) => [.. Enumerable.Range(first, count).Select(MessagingHarness.Destination)];

    void WriteCarriers(string file, params (string Name, int Simulator, int Weight)[] carriers) =>
        WriteCarriers(file, [.. carriers.Select(c => (c.Name, c.Simulator, c.Weight, new[] { "*" }, "secret"))]);

    /// <summary>Replaces the file in one step (write, then rename), as an operator's deployment would.</summary>
    void WriteCarriers(string file, params (string Name, int Simulator, int Weight, string[] Countries, string Password)[] carriers)
    {
        var list = carriers.Select(c => new
        {
            c.Name, Host = "127.0.0.1", simulators[c.Simulator].Port, Tls = false, c.Weight, c.Countries, Smpp = new { SystemId = "contacto", c.Password },
        });
        var staged = file + ".new";
        File.WriteAllText(staged, JsonSerializer.Serialize(new { Carriers = new { List = list } }));
        File.Move(staged, file, overwrite: true);
    }

    /// <summary>Makes the change and waits until the pool has applied it: these carriers, and <paramref name="applied"/>.</summary>
    static async Task ReconfigureAsync(CarrierPool pool, Action change, string[] names, Func<bool>? applied = null)
    {
        using var signal = new SemaphoreSlim(0);
        void OnReconfigured() => signal.Release();
        pool.Reconfigured += OnReconfigured;
        try
        {
            change();
            using var deadline = new CancellationTokenSource(Within);
            while (!pool.Carriers.Select(r => r.Name).Order().SequenceEqual(names) || applied?.Invoke() == false)
                await signal.WaitAsync(deadline.Token);
        }
        finally
        {
            pool.Reconfigured -= OnReconfigured;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var simulator in simulators)
            await simulator.DisposeAsync();
    }
}
