using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Contacto.CarrierSim;
using Contacto.Smpp.Client;
using Contacto.Smpp.Protocol;
using Contacto.Smpp.Session;
using Contacto.Smpp.Tests.Support;
using Contacto.Smpp.Text;
using Microsoft.Extensions.Time.Testing;

namespace Contacto.Smpp.Tests.Client;

public sealed class SmppBindTests
{
    // A simulator on a fake clock must not probe the client as time jumps.
    private static readonly SmppConnectionOptions ClockIndependentKeepAlive = new() { EnquireLinkInterval = TimeSpan.FromHours(1) };

    private static SubmitSm Submit(string text = "hello") => ShortMessageBuilder.BuildSubmits(
        new OutboundText(SmeAddress.Alphanumeric("Contacto"), SmeAddress.International("15550001111"), text),
        TextProfile.Default, new ConcatenationReferences())[0];

    [Fact]
    public async Task SubmitGetsTheCarrierIdAndItsReceipt()
    {
        await using var simulator = Sim.Start();
        var inbox = new Sim.Inbox();
        await using var bind = new SmppBind(Sim.BindTo(simulator), inbox.Handle);
        bind.Start();
        await bind.WaitUntilBoundAsync().WaitAsync(Loopback.Patience);

        var result = await bind.SubmitAsync(Submit());
        await inbox.Complete;

        Assert.True(result.IsAccepted);
        Assert.False(string.IsNullOrEmpty(result.MessageId));
        Assert.Equal("bind-1", result.BindName);
        var receipt = Assert.Single(inbox.Messages).Receipt;
        Assert.NotNull(receipt);
        Assert.Equal(result.MessageId, receipt.MessageId);
        Assert.Equal(MessageState.Delivered, receipt.State);
    }

    [Fact]
    public async Task ReceiptOutcomeFollowsTheSimulatorMix()
    {
        await using var simulator = Sim.Start(new SmscSimulatorOptions { ReceiptOutcomes = [new(MessageState.Undeliverable, 1, "0x0B")] });
        var inbox = new Sim.Inbox();
        await using var bind = new SmppBind(Sim.BindTo(simulator), inbox.Handle);
        bind.Start();
        await bind.WaitUntilBoundAsync().WaitAsync(Loopback.Patience);

        await bind.SubmitAsync(Submit());
        await inbox.Complete;

        var receipt = Assert.Single(inbox.Messages).Receipt!;
        Assert.Equal(MessageState.Undeliverable, receipt.State);
        Assert.Equal("0x0B", receipt.Error);
    }

    [Fact]
    public async Task WrongPasswordIsReportedWithoutBinding()
    {
        await using var simulator = Sim.Start();
        var refused = new TaskCompletionSource<BindHealth>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var bind = new SmppBind(Sim.BindTo(simulator, password: "wrong"));
        bind.HealthChanged += h =>
        {
            if (h.LastError is not null)
            {
                refused.TrySetResult(h);
            }
        };
        bind.Start();

        var health = await refused.Task.WaitAsync(Loopback.Patience);

        Assert.Equal(BindState.Down, health.State);
        Assert.Contains(nameof(CommandStatus.InvalidPassword), health.LastError);
        Assert.DoesNotContain("wrong", health.LastError);
        Assert.DoesNotContain(Sim.Password, health.LastError);
        await Assert.ThrowsAsync<SmppNotBoundException>(() => bind.SubmitAsync(Submit()));
    }

    [Fact]
    public async Task BindOptionsNeverPrintThePassword()
    {
        await using var simulator = Sim.Start();

        Assert.DoesNotContain(Sim.Password, Sim.BindTo(simulator).ToString());
    }

    [Fact]
    public async Task ThrottlingIsRetriedThenReportedAsTemporaryAndSlowsTheBind()
    {
        var simulatorTime = new FakeTimeProvider();
        await using var simulator = Sim.Start(new SmscSimulatorOptions { MaxSubmitsPerSecond = 3, Connection = ClockIndependentKeepAlive }, simulatorTime);
        var options = Sim.BindTo(simulator);
        await using var bind = new SmppBind(new SmppBindOptions
        {
            Name = options.Name, Host = options.Host, Port = options.Port, SystemId = options.SystemId, Password = options.Password,
            TransactionsPerSecond = 1000, ThrottleRetries = 2, ThrottleRetryDelay = TimeSpan.FromMilliseconds(5),
        });
        bind.Start();
        await bind.WaitUntilBoundAsync().WaitAsync(Loopback.Patience);

        for (var i = 0; i < 3; i++)
        {
            Assert.True((await bind.SubmitAsync(Submit())).IsAccepted);
        }
        var throttled = await bind.SubmitAsync(Submit());
        simulatorTime.Advance(TimeSpan.FromSeconds(1));
        var afterWindow = await bind.SubmitAsync(Submit());

        Assert.Equal(CommandStatus.Throttled, throttled.Status);
        Assert.True(throttled.IsTemporary);
        Assert.Equal(3, simulator.Statistics.SubmitsThrottled);
        Assert.True(bind.Health.CurrentTransactionsPerSecond < 1000);
        Assert.True(afterWindow.IsAccepted);
    }

    [Fact]
    public async Task TransactionsPerSecondCapTheSubmitRate()
    {
        await using var simulator = Sim.Start();
        var options = Sim.BindTo(simulator);
        await using var bind = new SmppBind(new SmppBindOptions
        {
            Name = "paced", Host = options.Host, Port = options.Port, SystemId = options.SystemId, Password = options.Password,
            TransactionsPerSecond = 20,
        });
        bind.Start();
        await bind.WaitUntilBoundAsync().WaitAsync(Loopback.Patience);

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => bind.SubmitAsync(Submit())));

        // Ten submits at 20 per second need at least nine gaps of 50 ms.
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        Assert.True(elapsed >= TimeSpan.FromMilliseconds(450), elapsed.ToString());
    }

    [Fact]
    public async Task FullQueueCountsAsThrottlingNotAsFailure()
    {
        await using var simulator = Sim.Start(new SmscSimulatorOptions { RejectRate = 1, RejectStatus = CommandStatus.MessageQueueFull });
        await using var bind = new SmppBind(Sim.BindTo(simulator));
        bind.Start();
        await bind.WaitUntilBoundAsync().WaitAsync(Loopback.Patience);

        var result = await bind.SubmitAsync(Submit());

        Assert.Equal(CommandStatus.MessageQueueFull, result.Status);
        Assert.True(result.IsTemporary);
        Assert.Equal(1 + Sim.BindTo(simulator).ThrottleRetries, simulator.Statistics.SubmitsRejected);
    }

    [Fact]
    public async Task DroppedConnectionFailsInFlightSubmitThenRebinds()
    {
        await using var simulator = Sim.Start(new SmscSimulatorOptions { DropAfterRequests = 3 });
        await using var bind = new SmppBind(Sim.BindTo(simulator));
        bind.Start();
        await bind.WaitUntilBoundAsync().WaitAsync(Loopback.Patience);
        var down = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bind.HealthChanged += h =>
        {
            if (h.State == BindState.Down)
            {
                down.TrySetResult();
            }
        };

        Assert.True((await bind.SubmitAsync(Submit())).IsAccepted);
        var lost = await Assert.ThrowsAsync<SmppConnectionClosedException>(() => bind.SubmitAsync(Submit()));
        await down.Task.WaitAsync(Loopback.Patience);
        await bind.WaitUntilBoundAsync().WaitAsync(Loopback.Patience);

        Assert.True(lost.PossiblySent);
        Assert.True((await bind.SubmitAsync(Submit())).IsAccepted);
        Assert.Equal(2, simulator.Statistics.BindsAccepted);
    }

    [Fact]
    public async Task SilentCarrierIsDetectedAsDeadThenRebindsWhenItSpeaksAgain()
    {
        await using var simulator = Sim.Start();
        await using var bind = new SmppBind(Sim.BindTo(simulator));
        var dead = new TaskCompletionSource<BindHealth>(TaskCreationOptions.RunContinuationsAsynchronously);
        bind.HealthChanged += h =>
        {
            if (h.LastCloseReason == ConnectionCloseReason.DeadPeer)
            {
                dead.TrySetResult(h);
            }
        };
        bind.Start();
        await bind.WaitUntilBoundAsync().WaitAsync(Loopback.Patience);

        simulator.Options = simulator.Options with { Silent = true };
        var health = await dead.Task.WaitAsync(Loopback.Patience);
        simulator.Options = simulator.Options with { Silent = false };
        await bind.WaitUntilBoundAsync().WaitAsync(Loopback.Patience);

        Assert.Equal(BindState.Down, health.State);
        Assert.True((await bind.SubmitAsync(Submit())).IsAccepted);
    }

    [Fact]
    public async Task HealthReportsEnquireLinkRoundTrip()
    {
        await using var simulator = Sim.Start();
        await using var bind = new SmppBind(Sim.BindTo(simulator));
        bind.Start();
        await bind.WaitUntilBoundAsync().WaitAsync(Loopback.Patience);

        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (bind.Health.LastEnquireLinkRoundTrip is null && await poll.WaitForNextTickAsync().AsTask().WaitAsync(Loopback.Patience))
        {
        }

        Assert.True(bind.Health.IsUp);
        Assert.InRange(bind.Health.LastEnquireLinkRoundTrip!.Value, TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task StopUnbindsCleanly()
    {
        await using var simulator = Sim.Start();
        var bind = new SmppBind(Sim.BindTo(simulator));
        bind.Start();
        await bind.WaitUntilBoundAsync().WaitAsync(Loopback.Patience);
        Assert.Equal(1, simulator.BoundSessions);

        await bind.StopAsync().WaitAsync(Loopback.Patience);

        Assert.Equal(BindState.Stopped, bind.Health.State);
        Assert.Equal(ConnectionCloseReason.Local, bind.Health.LastCloseReason);
        Assert.Equal(0, simulator.BoundSessions);
    }

    [Fact]
    public async Task StopWhileConnectingOrBindingNeverHangs()
    {
        await using var simulator = Sim.Start();

        for (var i = 0; i < 20; i++)
        {
            var bind = new SmppBind(Sim.BindTo(simulator, $"racer-{i}"));
            bind.Start();
            await bind.StopAsync().WaitAsync(Loopback.Patience);

            Assert.Equal(BindState.Stopped, bind.Health.State);
        }
    }

    [Fact]
    public async Task MobileOriginatedMessageReachesTheHandlerAsText()
    {
        await using var simulator = Sim.Start();
        var inbox = new Sim.Inbox();
        await using var bind = new SmppBind(Sim.BindTo(simulator), inbox.Handle);
        bind.Start();
        await bind.WaitUntilBoundAsync().WaitAsync(Loopback.Patience);

        var status = await simulator.InjectMobileOriginatedAsync(
            SmeAddress.International("15550002222"), SmeAddress.International("15550001111"), "Stop {all} €5");
        await inbox.Complete;

        Assert.Equal(CommandStatus.Ok, status);
        var message = Assert.Single(inbox.Messages);
        Assert.False(message.IsReceipt);
        Assert.Equal("Stop {all} €5", message.Content!.Value.Text);
        Assert.Equal("15550002222", message.Source.Address);
    }

    [Fact]
    public async Task TransmitterReceiptsGoToTheReceiverOfTheSameAccount()
    {
        await using var simulator = Sim.Start();
        var inbox = new Sim.Inbox();
        var options = Sim.BindTo(simulator);
        await using var transmitter = new SmppBind(With(options, "tx", BindMode.Transmitter));
        await using var receiver = new SmppBind(With(options, "rx", BindMode.Receiver), inbox.Handle);
        transmitter.Start();
        receiver.Start();
        await Task.WhenAll(transmitter.WaitUntilBoundAsync(), receiver.WaitUntilBoundAsync()).WaitAsync(Loopback.Patience);

        var result = await transmitter.SubmitAsync(Submit());
        await inbox.Complete;

        Assert.Equal("rx", inbox.Messages.Single().BindName);
        Assert.Equal(result.MessageId, inbox.Messages.Single().Receipt!.MessageId);
        await Assert.ThrowsAsync<InvalidOperationException>(() => receiver.SubmitAsync(Submit()));
    }

    [Fact]
    public async Task SubmitWaitsForTheCarrierLatencyOnItsClock()
    {
        var latency = TimeSpan.FromSeconds(2);
        var simulatorTime = new ObservedFakeTime(latency);
        await using var simulator = Sim.Start(new SmscSimulatorOptions { Latency = latency, Connection = ClockIndependentKeepAlive }, simulatorTime);
        await using var bind = new SmppBind(Sim.BindTo(simulator));
        bind.Start();
        await bind.WaitUntilBoundAsync().WaitAsync(Loopback.Patience);

        var submit = bind.SubmitAsync(Submit());
        await simulatorTime.Waiting;
        simulatorTime.Advance(latency - TimeSpan.FromMilliseconds(1));
        var acceptedEarly = simulator.Statistics.SubmitsAccepted;
        simulatorTime.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True((await submit.WaitAsync(Loopback.Patience)).IsAccepted);
        Assert.Equal(0, acceptedEarly);
    }

    [Fact]
    public async Task WorksOverTls()
    {
        using var certificate = SelfSignedCertificate();
        await using var simulator = Sim.Start(new SmscSimulatorOptions { TlsCertificate = certificate });
        var plain = Sim.BindTo(simulator);
        await using var bind = new SmppBind(new SmppBindOptions
        {
            Name = "tls", Host = plain.Host, Port = plain.Port, SystemId = plain.SystemId, Password = plain.Password,
            Tls = new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                RemoteCertificateValidationCallback = (_, cert, _, _) => cert?.GetCertHashString() == certificate.GetCertHashString(),
            },
        });
        bind.Start();
        await bind.WaitUntilBoundAsync().WaitAsync(Loopback.Patience);

        Assert.True((await bind.SubmitAsync(Submit())).IsAccepted);
    }

    private static SmppBindOptions With(SmppBindOptions options, string name, BindMode mode) => new()
    {
        Name = name, Host = options.Host, Port = options.Port, SystemId = options.SystemId, Password = options.Password, Mode = mode,
    };

    private static X509Certificate2 SelfSignedCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}
