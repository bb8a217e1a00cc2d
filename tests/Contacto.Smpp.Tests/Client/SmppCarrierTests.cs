using Contacto.CarrierSim;
using Contacto.Smpp.Client;
using Contacto.Smpp.Protocol;
using Contacto.Smpp.Tests.Support;
using Contacto.Smpp.Text;

namespace Contacto.Smpp.Tests.Client;

public sealed class SmppCarrierTests
{
    private static readonly OutboundText LongText = new(
        SmeAddress.Alphanumeric("Contacto"), SmeAddress.International("15550001111"), new string('x', 400));

    [Fact]
    public async Task SpreadsSubmitsOverItsBindsAndSplitsTexts()
    {
        await using var simulator = Sim.Start();
        var submitsByBind = new System.Collections.Concurrent.ConcurrentBag<SubmitResult>();
        await using var carrier = new SmppCarrier(new SmppCarrierOptions
        {
            Name = "carrier-a",
            Binds = [Sim.BindTo(simulator, "a#1"), Sim.BindTo(simulator, "a#2")],
            Text = new TextProfile { Concatenation = ConcatenationMode.Udh16BitReference },
        });
        carrier.Start();
        await Task.WhenAll(carrier.Binds.Select(b => b.WaitUntilBoundAsync())).WaitAsync(Loopback.Patience);
        var received = new System.Collections.Concurrent.ConcurrentBag<ReceivedSubmitView>();
        simulator.SubmitReceived += s => received.Add(new(s.Pdu.EsmClass, s.Pdu.ShortMessage[..7]));

        var texts = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => carrier.SendTextAsync(LongText)));

        Assert.All(texts, t => Assert.True(t.IsComplete));
        Assert.All(texts, t => Assert.Equal(3, t.Parts.Count));
        Assert.Equal(2, texts.SelectMany(t => t.Parts).Select(r => r.BindName).Distinct().Count());
        Assert.Equal(3, carrier.Plan(LongText.Text).SegmentCount);
        Assert.All(received, r => Assert.Equal(0x08, r.Header[1]));
        Assert.Equal(20, received.Select(r => (r.Header[3], r.Header[4])).Distinct().Count());
    }

    [Fact]
    public async Task ReportsHealthPerBindAndFailsFastWhenNoneIsUp()
    {
        await using var simulator = Sim.Start();
        await using var carrier = new SmppCarrier(new SmppCarrierOptions
        {
            Name = "carrier-b",
            Binds = [Sim.BindTo(simulator, "b#1"), Sim.BindTo(simulator, "b#2", password: "bad")],
        });

        await Assert.ThrowsAsync<SmppNotBoundException>(() => carrier.SubmitAsync(new SubmitSm()));
        carrier.Start();
        await carrier.WaitUntilAnyBoundAsync().WaitAsync(Loopback.Patience);

        Assert.True(carrier.CanSubmit);
        Assert.Contains(carrier.Health, h => h.Name == "b#1" && h.IsUp);
        Assert.Contains(carrier.Health, h => h.Name == "b#2" && !h.IsUp);
    }

    [Fact]
    public async Task LinkLostMidTextKeepsThePartsAlreadyAccepted()
    {
        await using var simulator = Sim.Start(new SmscSimulatorOptions { DropAfterRequests = 3 });
        await using var carrier = new SmppCarrier(new SmppCarrierOptions { Name = "carrier-c", Binds = [Sim.BindTo(simulator, "c#1")] });
        carrier.Start();
        await carrier.WaitUntilAnyBoundAsync().WaitAsync(Loopback.Patience);

        var submission = await carrier.SendTextAsync(LongText);

        Assert.False(submission.IsComplete);
        Assert.Equal(3, submission.SegmentCount);
        Assert.True(Assert.Single(submission.Parts).IsAccepted);
        Assert.True(submission.Failure!.PossiblySent);
    }

    [Fact]
    public async Task RefusedPartStopsTheText()
    {
        await using var simulator = Sim.Start(new SmscSimulatorOptions { RejectRate = 1, RejectStatus = CommandStatus.InvalidDestinationAddress });
        await using var carrier = new SmppCarrier(new SmppCarrierOptions { Name = "carrier-d", Binds = [Sim.BindTo(simulator, "d#1")] });
        carrier.Start();
        await carrier.WaitUntilAnyBoundAsync().WaitAsync(Loopback.Patience);

        var submission = await carrier.SendTextAsync(LongText);

        Assert.False(submission.IsComplete);
        Assert.Null(submission.Failure);
        Assert.Equal(CommandStatus.InvalidDestinationAddress, Assert.Single(submission.Parts).Status);
    }

    [Fact]
    public void RefusesDuplicateBindNames()
    {
        var bind = new SmppBindOptions { Name = "same", Host = "127.0.0.1", SystemId = "a", Password = "b" };

        Assert.Throws<ArgumentException>(() => new SmppCarrier(new SmppCarrierOptions { Name = "c", Binds = [bind, bind] }));
    }

    private sealed record ReceivedSubmitView(byte EsmClass, byte[] Header);
}
