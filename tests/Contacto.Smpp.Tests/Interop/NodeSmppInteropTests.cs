using Contacto.Smpp.Client;
using Contacto.Smpp.Protocol;
using Contacto.Smpp.Receipts;
using Contacto.Smpp.Tests.Support;
using Contacto.Smpp.Text;

namespace Contacto.Smpp.Tests.Interop;

/// <summary>Contacto's client against node-smpp's server, and node-smpp's client against the simulator.</summary>
public sealed class NodeSmppInteropTests
{
    [Fact]
    public async Task ClientBindsSubmitsAndGetsReceiptsFromNodeSmsc()
    {
        await using var smsc = await NodePeer.StartAsync("smsc.js", Sim.SystemId, Sim.Password);
        var port = (await smsc.NextAsync("listening")).GetProperty("port").GetInt32();
        var inbox = new Sim.Inbox();
        var carrier = new SmppCarrier(new SmppCarrierOptions
        {
            Name = "node",
            Binds = [new SmppBindOptions { Name = "node#1", Host = "127.0.0.1", Port = port, SystemId = Sim.SystemId, Password = Sim.Password }],
            MessageIds = new MessageIdFormats(MessageIdFormat.Hexadecimal, MessageIdFormat.Decimal),
        }, inbox.Handle);
        carrier.Start();
        await carrier.WaitUntilAnyBoundAsync().WaitAsync(Loopback.Patience);

        var submission = await carrier.SendTextAsync(
            new OutboundText(SmeAddress.Alphanumeric("Contacto"), SmeAddress.International("15550001111"), "Hello from Contacto"));
        var result = Assert.Single(submission.Parts);
        var submitted = await smsc.NextAsync("submit_sm");
        await inbox.Complete;
        await smsc.NextAsync("deliver_sm_resp");
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (carrier.Binds[0].Health.LastEnquireLinkRoundTrip is null && await poll.WaitForNextTickAsync())
        {
        }
        await carrier.StopAsync().WaitAsync(Loopback.Patience);
        var unbound = await smsc.NextAsync("unbound");

        Assert.True(submission.IsComplete);
        Assert.Equal("Hello from Contacto", submitted.GetProperty("text").GetString());
        var receipt = inbox.Messages.Single().Receipt!;
        Assert.Equal(MessageState.Delivered, receipt.State);
        Assert.NotEqual(result.MessageId, receipt.MessageId);
        Assert.Equal(carrier.KeyOf(result), carrier.KeyOf(receipt));
        Assert.True(unbound.GetProperty("enquireLinks").GetInt32() >= 1);
    }

    [Fact]
    public async Task ClientReportsRefusedCredentialsFromNodeSmsc()
    {
        await using var smsc = await NodePeer.StartAsync("smsc.js", Sim.SystemId, Sim.Password);
        var port = (await smsc.NextAsync("listening")).GetProperty("port").GetInt32();
        var refused = new TaskCompletionSource<BindHealth>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var bind = new SmppBind(new SmppBindOptions
        {
            Name = "node", Host = "127.0.0.1", Port = port, SystemId = Sim.SystemId, Password = "nope",
        });
        bind.HealthChanged += h =>
        {
            if (h.LastError is not null)
            {
                refused.TrySetResult(h);
            }
        };

        bind.Start();

        Assert.Contains(nameof(CommandStatus.InvalidPassword), (await refused.Task.WaitAsync(Loopback.Patience)).LastError);
    }

    [Fact]
    public async Task NodeClientBindsSubmitsAndGetsReceiptFromSimulator()
    {
        await using var simulator = Sim.Start();
        var accepted = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        simulator.SubmitReceived += s => accepted.TrySetResult(SmsTextDecoder.Decode(s.Pdu, TextProfile.Default).Text ?? string.Empty);

        await using var esme = await NodePeer.StartAsync("esme.js", simulator.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), Sim.SystemId, Sim.Password);
        var bound = await esme.NextAsync("bind_resp");
        var response = await esme.NextAsync("submit_sm_resp");
        var receipt = await esme.NextAsync("deliver_sm");
        var enquire = await esme.NextAsync("enquire_link_resp");
        var unbind = await esme.NextAsync("unbind_resp");

        Assert.Equal(0, bound.GetProperty("status").GetInt32());
        Assert.Equal(0, response.GetProperty("status").GetInt32());
        Assert.Equal("Hello from node", await accepted.Task.WaitAsync(Loopback.Patience));
        Assert.Equal(DeliverSm.EsmClassDeliveryReceipt, receipt.GetProperty("esm_class").GetInt32());
        Assert.Equal(response.GetProperty("message_id").GetString(), receipt.GetProperty("receipted_message_id").GetString());
        Assert.Equal((int)MessageState.Delivered, receipt.GetProperty("message_state").GetInt32());
        Assert.Contains("stat:DELIVRD", receipt.GetProperty("text").GetString());
        Assert.Equal(0, enquire.GetProperty("status").GetInt32());
        Assert.Equal(0, unbind.GetProperty("status").GetInt32());
        Assert.Equal(0, await esme.ExitCodeAsync());
    }
}
