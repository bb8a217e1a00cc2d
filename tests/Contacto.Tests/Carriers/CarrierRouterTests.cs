using System.Collections.Concurrent;
using Contacto.Carriers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Contacto.Tests.Carriers;

/// <summary>
/// The router as a second protocol would meet it: carriers of a scripted protocol plugged in
/// beside SMPP, registered the way an adapter is, with the real pool, policies and breaker.
/// </summary>
public sealed class CarrierRouterTests
{
    static readonly DateTimeOffset Start = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_refusal_and_a_link_failure_fail_over_and_the_first_carrier_that_takes_it_wins()
    {
        await using var carriers = await ScriptedCarriers.StartAsync(new InOrder(), ("a", "*", 1), ("b", "*", 1), ("c", "*", 1));
        carriers["a"].Next = CarrierAttempt.Refused(CarrierError.InvalidDestination);
        carriers["b"].Next = CarrierAttempt.LinkFailed;
        carriers["c"].Next = CarrierAttempt.Accepted(["ref-1", "ref-2"], 2);

        var outcome = await carriers.Router.SendAsync("PT", Text, CancellationToken.None);

        Assert.Equal(CarrierOutcomeKind.Accepted, outcome.Kind);
        Assert.Equal("c", outcome.Carrier);
        Assert.Equal(["ref-1", "ref-2"], outcome.References);
        Assert.Equal(2, outcome.Units);
        Assert.All(carriers.All, c => Assert.Single(c.Requests));
    }

    [Fact]
    public async Task When_every_carrier_refuses_the_last_refusal_is_the_outcome_and_throttling_stops_at_once()
    {
        await using var carriers = await ScriptedCarriers.StartAsync(("a", "*", 1), ("b", "*", 1));
        carriers["a"].Next = carriers["b"].Next = CarrierAttempt.Refused(CarrierError.Prohibited);

        var refused = await carriers.Router.SendAsync("PT", Text, CancellationToken.None);
        Assert.Equal(CarrierOutcomeKind.Refused, refused.Kind);
        Assert.Equal(CarrierError.Prohibited, refused.Error);

        carriers["a"].Next = carriers["b"].Next = CarrierAttempt.Throttled;
        var throttled = await carriers.Router.SendAsync("PT", Text, CancellationToken.None);
        Assert.Equal(CarrierOutcomeKind.TemporaryFailure, throttled.Kind);
        Assert.Equal(TimeSpan.FromSeconds(1), throttled.RetryAfter);
        Assert.Equal(3, carriers.All.Sum(c => c.Requests.Count)); // throttling is not failed over
    }

    [Fact]
    public async Task A_declined_request_is_never_handed_to_another_carrier_and_an_answered_call_reaches_the_outcome()
    {
        await using var carriers = await ScriptedCarriers.StartAsync(new InOrder(), ("a", "*", 1), ("b", "*", 1));
        carriers["a"].Next = CarrierAttempt.Declined(CarrierError.Busy);
        carriers["b"].Next = CarrierAttempt.Accepted(["x"], 1);

        var busy = await carriers.Router.SendAsync("PT", Text, CancellationToken.None);

        Assert.Equal(CarrierOutcomeKind.Refused, busy.Kind);
        Assert.Equal(CarrierError.Busy, busy.Error);
        Assert.Single(carriers["a"].Requests);
        Assert.Empty(carriers["b"].Requests);

        var call = new AnsweredCall();
        carriers["a"].Next = CarrierAttempt.Answered(call);
        var answered = await carriers.Router.SendAsync("PT", Text, CancellationToken.None);
        Assert.Equal(CarrierOutcomeKind.Accepted, answered.Kind);
        Assert.Same(call, answered.Call);
    }

    [Fact]
    public async Task Routes_are_per_country_and_product_and_a_country_without_carriers_has_no_route()
    {
        await using var carriers = await ScriptedCarriers.StartAsync(("pt", "PT", 1), ("es", "ES", 1));
        carriers["pt"].Next = carriers["es"].Next = CarrierAttempt.Accepted(["x"], 1);

        Assert.Equal("es", (await carriers.Router.SendAsync("ES", Text, CancellationToken.None)).Carrier);
        Assert.Equal(CarrierOutcomeKind.NoCarrier, (await carriers.Router.SendAsync("FR", Text, CancellationToken.None)).Kind);
        // These carriers carry texts only: a voice request finds none.
        Assert.Equal(CarrierOutcomeKind.NoCarrier, (await carriers.Router.SendAsync("PT", new Call(), CancellationToken.None)).Kind);
        Assert.True(carriers.Router.HasCarrierFor("PT", CarrierProducts.Sms));
        Assert.False(carriers.Router.HasCarrierFor("PT", CarrierProducts.Voice));
    }

    [Fact]
    public async Task A_country_whose_carriers_are_all_down_is_a_temporary_failure()
    {
        await using var carriers = await ScriptedCarriers.StartAsync(("a", "*", 1));
        carriers["a"].Ready = false;

        var outcome = await carriers.Router.SendAsync("PT", Text, CancellationToken.None);

        Assert.Equal(CarrierOutcomeKind.TemporaryFailure, outcome.Kind);
        Assert.Empty(carriers["a"].Requests);
    }

    [Fact]
    public async Task Repeated_failures_open_the_circuit_and_the_carrier_comes_back_on_a_ramp()
    {
        await using var carriers = await ScriptedCarriers.StartAsync(("a", "*", 1), ("b", "*", 1));
        carriers["a"].Next = CarrierAttempt.LinkFailed;
        carriers["b"].Next = CarrierAttempt.Accepted(["x"], 1);
        // Breaker: 5 failures open it for 2 s; the ramp lasts 10 s.
        while (carriers["a"].Requests.Count < 5)
            Assert.Equal("b", (await carriers.Router.SendAsync("PT", Text, CancellationToken.None)).Carrier);

        carriers["a"].Next = CarrierAttempt.Accepted(["y"], 1);
        for (var i = 0; i < 50; i++)
            Assert.Equal("b", (await carriers.Router.SendAsync("PT", Text, CancellationToken.None)).Carrier);
        Assert.Equal(5, carriers["a"].Requests.Count);

        carriers.Time.Advance(TimeSpan.FromSeconds(2));
        var justBack = await ShareOfAsync(carriers, "a", 2000);
        carriers.Time.Advance(TimeSpan.FromSeconds(10));
        var recovered = await ShareOfAsync(carriers, "a", 2000);

        // A tenth of its weight at first (1 : 10 against b's, about 9%), then half.
        Assert.InRange(justBack, 0.05, 0.15);
        Assert.InRange(recovered, 0.42, 0.58);
    }

    static async Task<double> ShareOfAsync(ScriptedCarriers carriers, string name, int requests)
    {
        var taken = 0;
        for (var i = 0; i < requests; i++)
            taken += (await carriers.Router.SendAsync("PT", Text, CancellationToken.None)).Carrier == name ? 1 : 0;
        return (double)taken / requests;
    }

    static readonly SmsRequest Text = new("+351912000001", false, "+351913000001", "hi");

    sealed record Call() : CarrierRequest(CarrierProducts.Voice);

    sealed class AnsweredCall : ICarrierCall
    {
        public string Carrier => "a";
        public ReadOnlyMemory<byte> RemoteMedia => default;
        public Task<CallEnd> Ended => new TaskCompletionSource<CallEnd>().Task;
        public Task HangUpAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;
        public Task<ReadOnlyMemory<byte>?> RenegotiateAsync(ReadOnlyMemory<byte> offer, CancellationToken cancellationToken = default) =>
            Task.FromResult<ReadOnlyMemory<byte>?>(null);
    }

    /// <summary>A carrier whose answers the test sets, and which remembers what it was asked.</summary>
    sealed class ScriptedConnection : ICarrierConnection
    {
        public volatile CarrierAttempt Next = CarrierAttempt.LinkFailed;
        public volatile bool Ready = true;
        public ConcurrentQueue<CarrierRequest> Requests { get; } = new();

        public bool IsReady => Ready;
        public IReadOnlyList<LinkHealth> Links => [new("link", Ready, Ready ? "up" : "down", Ready ? null : "scripted")];
        public event Action<LinkHealth>? LinkChanged;
        public void Start() => LinkChanged?.Invoke(Links[0]);
        public Task WaitUntilReadyAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task<CarrierAttempt> SendAsync(CarrierRequest request, CancellationToken cancellationToken)
        {
            Requests.Enqueue(request);
            return Task.FromResult(Next);
        }
    }

    sealed class ScriptedProtocol : ICarrierProtocol
    {
        public ConcurrentDictionary<string, ScriptedConnection> Opened { get; } = new();
        public string Name => "scripted";
        public IReadOnlyList<string> Products { get; } = [CarrierProducts.Sms];
        public IEnumerable<string> Validate(CarrierOptions carrier, string key) => [];
        public ICarrierConnection Open(CarrierOptions carrier, CarrierSinks sinks) => Opened.GetOrAdd(carrier.Name, _ => new ScriptedConnection());
    }

    sealed class NoSinks : ICarrierReceiptSink, ICarrierMessageSink
    {
        public Task AcceptAsync(CarrierReceipt receipt, CancellationToken cancellationToken) => Task.CompletedTask;
        public Task AcceptAsync(InboundSms message, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    sealed class ScriptedCarriers(IHost host, ScriptedProtocol protocol, FakeTimeProvider time) : IAsyncDisposable
    {
        public CarrierRouter Router => host.Services.GetRequiredService<CarrierRouter>();
        public FakeTimeProvider Time => time;
        public ScriptedConnection this[string name] => protocol.Opened[name];
        public IEnumerable<ScriptedConnection> All => protocol.Opened.Values;

        public static Task<ScriptedCarriers> StartAsync(params (string Name, string Country, int Weight)[] carriers) => StartAsync(null, carriers);

        public static async Task<ScriptedCarriers> StartAsync(ICarrierChoicePolicy? choice, params (string Name, string Country, int Weight)[] carriers)
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Development" });
            builder.Configuration.AddInMemoryCollection(carriers.SelectMany((c, i) => new Dictionary<string, string?>
            {
                [$"Carriers:List:{i}:Name"] = c.Name,
                [$"Carriers:List:{i}:Protocol"] = "scripted",
                [$"Carriers:List:{i}:Host"] = "carrier.invalid",
                [$"Carriers:List:{i}:Countries:0"] = c.Country,
                [$"Carriers:List:{i}:Weight"] = c.Weight.ToString(),
            }));
            var protocol = new ScriptedProtocol();
            var time = new FakeTimeProvider(Start);
            builder.Services.AddSingleton<TimeProvider>(time);
            builder.Services.AddSingleton<ICarrierProtocol>(protocol);
            builder.Services.AddSingleton<ICarrierReceiptSink, NoSinks>();
            builder.Services.AddSingleton<ICarrierMessageSink, NoSinks>();
            builder.Services.AddOptions<Contacto.Status.StatusOptions>();
            builder.Services.AddMetrics();
            if (choice is not null)
                builder.Services.AddSingleton(choice);
            builder.Services.AddContactoCarriers();
            builder.Services.AddContactoCarrierWorkers();
            var host = builder.Build();
            await host.StartAsync();
            return new ScriptedCarriers(host, protocol, time);
        }

        public async ValueTask DisposeAsync()
        {
            await host.StopAsync();
            host.Dispose();
        }
    }
}
