using Contacto.Smpp.Protocol;
using Contacto.Smpp.Session;

namespace Contacto.CarrierSim;

/// <summary>
/// The SMSC side of one connection: checks the bind, then answers submits the way the
/// simulator's knobs say (latency, throughput cap, rejections, drops) and asks for receipts.
/// </summary>
internal sealed class SimulatedSession(SmscSimulator simulator)
{
    private int _requests;

    public SmppConnection Connection { get; set; } = null!;

    public BindMode? Mode { get; private set; }

    public string SystemId { get; private set; } = string.Empty;

    public bool CanReceive => Mode?.CanReceive() == true && Connection.IsOpen;

    public async ValueTask<Pdu?> HandleAsync(SmppConnection connection, Pdu request, CancellationToken cancellationToken)
    {
        var options = simulator.Options;
        if (options.DropAfterRequests > 0 && Interlocked.Increment(ref _requests) >= options.DropAfterRequests)
        {
            _ = connection.CloseAsync(ConnectionCloseReason.Local);
            return null;
        }
        if (request is BindPdu bind)
        {
            return Bind(bind, options);
        }
        if (Mode is null)
        {
            return ErrorResponses.For(request, CommandStatus.IncorrectBindStatus);
        }
        return request switch
        {
            SubmitSm submit when Mode.Value.CanSubmit() => await SubmitAsync(submit, options, cancellationToken).ConfigureAwait(false),
            DataSm data when Mode.Value.CanSubmit() => Accept(data, simulator.NextMessageId()),
            QuerySm query => Query(query),
            SubmitSm or DataSm => ErrorResponses.For(request, CommandStatus.IncorrectBindStatus),
            _ => ErrorResponses.For(request, CommandStatus.InvalidCommandId),
        };
    }

    private Pdu Bind(BindPdu bind, SmscSimulatorOptions options)
    {
        var status = Mode is not null ? CommandStatus.AlreadyBound
            : options.Credentials.Count == 0 ? CommandStatus.Ok
            : !options.Credentials.TryGetValue(bind.SystemId, out var password) ? CommandStatus.InvalidSystemId
            : password != bind.Password ? CommandStatus.InvalidPassword
            : CommandStatus.Ok;
        if (status == CommandStatus.Ok)
        {
            (Mode, SystemId) = (bind.Mode, bind.SystemId);
            simulator.Statistics.BindAccepted();
            if (bind.Mode.CanReceive())
                simulator.ReceiverBound();
        }
        else
        {
            simulator.Statistics.BindRefused();
        }
        return new BindResponsePdu(bind.CommandId.ResponseFor()) { Status = status, SystemId = options.SystemId };
    }

    private async ValueTask<Pdu?> SubmitAsync(SubmitSm submit, SmscSimulatorOptions options, CancellationToken cancellationToken)
    {
        if (options.Latency > TimeSpan.Zero)
        {
            await Task.Delay(options.Latency, simulator.Time, cancellationToken).ConfigureAwait(false);
        }
        if (!simulator.Throughput.TryAdmit(options.MaxSubmitsPerSecond))
        {
            simulator.Statistics.SubmitThrottled();
            return ErrorResponses.For(submit, CommandStatus.Throttled);
        }
        if (options.RejectRate > 0 && simulator.NextDouble() < options.RejectRate)
        {
            simulator.Statistics.SubmitRejected();
            return ErrorResponses.For(submit, options.RejectStatus);
        }
        var messageId = simulator.NextMessageId();
        simulator.Statistics.SubmitAccepted();
        // Answer before the receipt is queued, so the ESME learns the id before its receipt.
        Connection.SendResponse(submit.CreateResponse(messageId));
        simulator.OnSubmitAccepted(this, submit, messageId);
        return null;
    }

    private static MessageIdResponsePdu Accept(DataSm data, string messageId) =>
        new(CommandId.DataSmResp) { SequenceNumber = data.SequenceNumber, MessageId = messageId };

    private Pdu Query(QuerySm query) => simulator.IsIssued(query.MessageId)
        ? new QuerySmResponsePdu { MessageId = query.MessageId, MessageState = MessageState.Enroute }
        : ErrorResponses.For(query, CommandStatus.InvalidMessageId);
}
