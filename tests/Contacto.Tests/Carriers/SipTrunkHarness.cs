using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Contacto.Carriers;
using Contacto.Carriers.Sip;
using Contacto.CarrierSim.Sip;
using Contacto.Sip.Transport;
using Contacto.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Contacto.Tests.Carriers;

/// <summary>
/// A node's carriers as the server wires them (the real SIP trunk protocol, endpoint, listener,
/// pool and router in a host), with SIP trunks that are simulators on loopback (on the real clock), reached over UDP.
/// Trunks are tried in configured order, so a test says which is tried when.
/// </summary>
sealed class SipTrunkHarness : IAsyncDisposable
{
    public static readonly byte[] Offer = Encoding.ASCII.GetBytes(
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n");

    readonly IHost host;
    readonly Dictionary<string, SipTrunkSimulator> trunks;

    SipTrunkHarness(IHost host, Dictionary<string, SipTrunkSimulator> trunks, RecordedLogs logs) =>
        (this.host, this.trunks, Logs) = (host, trunks, logs);

    public SipTrunkSimulator this[string name] => trunks[name];

    public IServiceProvider Services => host.Services;

    public CarrierRouter Router => host.Services.GetRequiredService<CarrierRouter>();

    internal CarrierPool Pool => host.Services.GetRequiredService<CarrierPool>();

    public RecordedLogs Logs { get; }

    /// <summary>Where trunks reach this node over UDP.</summary>
    public SipTarget Node => new(SipTransports.Udp, host.Services.GetRequiredService<SipListeners>().Udp!);

    /// <param name="trunkSettings">Per trunk, settings under its <c>Carriers:List:N:</c> key (e.g. <c>Sip:UserName</c>).</param>
    /// <param name="time">
    /// The node's clock. By default one that stands still, so that keep-alives never time out (a
    /// test of routing rules must not depend on how loaded the machine is); tests of timing advance their own.
    /// </param>
    public static async Task<SipTrunkHarness> StartAsync(string[] names, Func<string, SipTrunkSimulatorOptions>? simulated = null,
        Func<string, IReadOnlyDictionary<string, string>>? trunkSettings = null, TimeProvider? time = null, ICarrierCallSink? calls = null)
    {
        var trunks = names.ToDictionary(n => n, n => new SipTrunkSimulator(simulated?.Invoke(n) ?? new SipTrunkSimulatorOptions { TcpPort = null }));
        foreach (var trunk in trunks.Values)
            trunk.Start();
        var settings = new Dictionary<string, string?>
        {
            ["Sip:Listen:Udp"] = "127.0.0.1:0",
            ["Sip:Listen:Tcp"] = "127.0.0.1:0",
            ["Sip:Listen:Tls"] = "",
        };
        foreach (var (name, index) in names.Select((n, i) => (n, i)))
        {
            var key = $"Carriers:List:{index}:";
            settings[key + "Name"] = name;
            settings[key + "Protocol"] = "sip";
            settings[key + "Host"] = "127.0.0.1";
            settings[key + "Port"] = trunks[name].Port(SipTransports.Udp).ToString();
            settings[key + "Tls"] = "false";
            foreach (var (setting, value) in trunkSettings?.Invoke(name) ?? new Dictionary<string, string>())
                settings[key + setting] = value;
        }
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Development" });
        builder.Configuration.AddInMemoryCollection(settings);
        var logs = new RecordedLogs();
        builder.Logging.AddProvider(logs);
        builder.Services.AddSingleton(time ?? new FakeTimeProvider(DateTimeOffset.UtcNow));
        builder.Services.AddSingleton<ICarrierReceiptSink, NoSinks>();
        builder.Services.AddSingleton<ICarrierMessageSink, NoSinks>();
        builder.Services.AddSingleton<ICarrierChoicePolicy, InOrder>();
        if (calls is not null)
            builder.Services.AddSingleton(calls);
        builder.Services.AddOptions<Contacto.Status.StatusOptions>();
        builder.Services.AddMetrics();
        builder.Services.AddContactoCarriers();
        builder.Services.AddContactoSipListener();
        builder.Services.AddContactoCarrierWorkers();
        var host = builder.Build();
        await host.StartAsync();
        var harness = new SipTrunkHarness(host, trunks, logs);
        await harness.WaitUntilUpAsync(names);
        return harness;
    }

    public async Task WaitUntilUpAsync(params string[] names)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Task.WhenAll(Pool.Carriers.Where(c => names.Contains(c.Name)).Select(c => c.Connection.WaitUntilReadyAsync(deadline.Token)));
    }

    internal Carrier Carrier(string name) => Pool.Carriers.Single(c => c.Name == name);

    /// <summary>A call from one Portuguese number to another, its progress signals recorded.</summary>
    public static CallRequest Call(ConcurrentQueue<CallProgress>? progress = null) =>
        new("+351912000001", "+351913000001", Offer) { Progress = progress is null ? null : progress.Enqueue };

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
        foreach (var trunk in trunks.Values)
            await trunk.DisposeAsync();
    }

    sealed class NoSinks : ICarrierReceiptSink, ICarrierMessageSink
    {
        public Task AcceptAsync(CarrierReceipt receipt, CancellationToken cancellationToken) => Task.CompletedTask;
        public Task AcceptAsync(InboundSms message, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>Polls a condition until it holds or a deadline passes (no fixed sleeps over races).</summary>
static class Eventually
{
    public static async Task HoldsAsync(Func<bool> condition, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(20));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"timed out waiting until {what}");
            await Task.Delay(10);
        }
    }
}
