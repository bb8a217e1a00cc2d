using Contacto.CarrierSim;
using Contacto.Smpp.Client;
using Contacto.Smpp.Protocol;
using Contacto.Smpp.Session;
using Contacto.Smpp.Tests.Support;

namespace Contacto.CarrierSim.Tests;

public sealed class SmscSimulatorTests
{
    [Fact]
    public async Task RefusesUnknownSystemIdAndRequestsBeforeBind()
    {
        await using var simulator = Sim.Start();
        var (connection, _) = await ConnectRawAsync(simulator);

        var early = await connection.SendRequestAsync(new SubmitSm());
        var unknown = await connection.SendRequestAsync(new BindPdu(BindMode.Transceiver) { SystemId = "nobody", Password = "x" });
        var good = await connection.SendRequestAsync(new BindPdu(BindMode.Transceiver) { SystemId = Sim.SystemId, Password = Sim.Password });
        var again = await connection.SendRequestAsync(new BindPdu(BindMode.Transceiver) { SystemId = Sim.SystemId, Password = Sim.Password });

        Assert.Equal(CommandStatus.IncorrectBindStatus, early.Status);
        Assert.Equal(CommandStatus.InvalidSystemId, unknown.Status);
        Assert.Equal(CommandStatus.Ok, good.Status);
        Assert.Equal(CommandStatus.AlreadyBound, again.Status);
        Assert.Equal(1, simulator.Statistics.BindsAccepted);
        Assert.Equal(2, simulator.Statistics.BindsRefused);
    }

    [Fact]
    public async Task RejectsTheConfiguredShareOfSubmits()
    {
        await using var simulator = Sim.Start(new SmscSimulatorOptions { RejectRate = 0.5, Seed = 42, RejectStatus = CommandStatus.InvalidDestinationAddress });
        var connection = await BoundRawAsync(simulator);

        var statuses = await Task.WhenAll(Enumerable.Range(0, 400).Select(_ => connection.SendRequestAsync(new SubmitSm())));

        var rejected = statuses.Count(s => s.Status == CommandStatus.InvalidDestinationAddress);
        Assert.InRange(rejected, 140, 260);
        Assert.Equal(400 - rejected, statuses.Count(s => s.Status == CommandStatus.Ok));
        Assert.Equal(rejected, simulator.Statistics.SubmitsRejected);
    }

    [Fact]
    public async Task AnswersDataSmAndQuerySm()
    {
        await using var simulator = Sim.Start();
        var connection = await BoundRawAsync(simulator);

        var data = (MessageIdResponsePdu)await connection.SendRequestAsync(new DataSm());
        var known = await connection.SendRequestAsync(new QuerySm { MessageId = data.MessageId });
        var unknown = await connection.SendRequestAsync(new QuerySm { MessageId = "999999" });

        Assert.Equal(CommandId.DataSmResp, data.CommandId);
        Assert.Equal(MessageState.Enroute, ((QuerySmResponsePdu)known).MessageState);
        Assert.Equal(CommandStatus.InvalidMessageId, unknown.Status);
    }

    [Fact]
    public async Task ReceiptsForFailureOnlyAreSentJustForFailures()
    {
        Assert.True(ReceiptFactory.IsWanted(SubmitSm.ReceiptOnFinalOutcome, MessageState.Delivered));
        Assert.False(ReceiptFactory.IsWanted(SubmitSm.ReceiptOnFailure, MessageState.Delivered));
        Assert.True(ReceiptFactory.IsWanted(SubmitSm.ReceiptOnFailure, MessageState.Expired));
        Assert.False(ReceiptFactory.IsWanted(0, MessageState.Rejected));

        await using var simulator = Sim.Start(new SmscSimulatorOptions { ReceiptOutcomes = [new(MessageState.Expired, 1)] });
        var inbox = new Sim.Inbox();
        await using var bind = new SmppBind(Sim.BindTo(simulator), inbox.Handle);
        bind.Start();
        await bind.WaitUntilBoundAsync().WaitAsync(Loopback.Patience);
        await bind.SubmitAsync(new SubmitSm { RegisteredDelivery = SubmitSm.ReceiptOnFailure });
        await inbox.Complete;

        Assert.Equal(MessageState.Expired, inbox.Messages.Single().Receipt!.State);
    }

    [Fact]
    public async Task AReceiptRefusedForNowIsSentAgain()
    {
        await using var simulator = Sim.Start();
        var deliveries = 0;
        var secondDelivery = new TaskCompletionSource<DeliverSm>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync("127.0.0.1", simulator.Port);
        // The receiver is busy the first time (throttled), then takes the receipt.
        await using var connection = new SmppConnection(client.GetStream(), new SmppConnectionOptions(), (_, request, _) =>
        {
            var status = Interlocked.Increment(ref deliveries) == 1 ? CommandStatus.Throttled : CommandStatus.Ok;
            if (status == CommandStatus.Ok)
                secondDelivery.TrySetResult((DeliverSm)request);
            return ValueTask.FromResult<Pdu?>(new MessageIdResponsePdu(CommandId.DeliverSmResp) { Status = status });
        });
        connection.Start();
        Assert.Equal(CommandStatus.Ok, (await connection.SendRequestAsync(new BindPdu(BindMode.Transceiver) { SystemId = Sim.SystemId, Password = Sim.Password })).Status);

        var submitted = (MessageIdResponsePdu)await connection.SendRequestAsync(new SubmitSm { RegisteredDelivery = SubmitSm.ReceiptOnFinalOutcome });
        var receipt = await secondDelivery.Task.WaitAsync(Loopback.Patience);

        Assert.Equal(2, deliveries);
        Assert.Contains($"id:{submitted.MessageId} ", System.Text.Encoding.ASCII.GetString(receipt.ShortMessage));
        Assert.Equal(1, simulator.Statistics.ReceiptsRefusedForNow);
        await Loopback.WaitForAsync(() => simulator.Statistics.ReceiptsSent == 1);
    }

    [Fact]
    public void CommandLineMixAndCredentialsParse()
    {
        var mix = SimulatorCommand.ParseMix("DELIVRD=90, UNDELIV=8,expired=2");
        var credentials = SimulatorCommand.ParseCredentials(["a=b", "c=d=e"]);

        Assert.Equal([MessageState.Delivered, MessageState.Undeliverable, MessageState.Expired], mix.Select(m => m.State));
        Assert.Equal(90, mix[0].Weight);
        Assert.Equal("d=e", credentials["c"]);
    }

    private static async Task<(SmppConnection, System.Net.Sockets.TcpClient)> ConnectRawAsync(SmscSimulator simulator)
    {
        var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync("127.0.0.1", simulator.Port);
        var connection = new SmppConnection(client.GetStream(), new SmppConnectionOptions(), (_, _, _) => ValueTask.FromResult<Pdu?>(null));
        connection.Start();
        return (connection, client);
    }

    private static async Task<SmppConnection> BoundRawAsync(SmscSimulator simulator)
    {
        var (connection, _) = await ConnectRawAsync(simulator);
        var bound = await connection.SendRequestAsync(new BindPdu(BindMode.Transmitter) { SystemId = Sim.SystemId, Password = Sim.Password });
        Assert.Equal(CommandStatus.Ok, bound.Status);
        return connection;
    }
}
