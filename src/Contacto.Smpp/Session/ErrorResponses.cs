using Contacto.Smpp.Protocol;

namespace Contacto.Smpp.Session;

/// <summary>Builds the response that refuses a request with an error status.</summary>
public static class ErrorResponses
{
    /// <summary>The request's own response type with the status, or generic_nack when it has none.</summary>
    public static Pdu For(Pdu request, CommandStatus status)
    {
        Pdu response = request.CommandId switch
        {
            CommandId.SubmitSm or CommandId.DeliverSm or CommandId.DataSm =>
                new MessageIdResponsePdu(request.CommandId.ResponseFor()),
            CommandId.BindTransmitter or CommandId.BindReceiver or CommandId.BindTransceiver =>
                new BindResponsePdu(request.CommandId.ResponseFor()),
            CommandId.QuerySm => new QuerySmResponsePdu(),
            CommandId.EnquireLink or CommandId.Unbind => new HeaderOnlyPdu(request.CommandId.ResponseFor()),
            _ => new HeaderOnlyPdu(CommandId.GenericNack),
        };
        response.Status = status;
        response.SequenceNumber = request.SequenceNumber;
        return response;
    }

    /// <summary>Requests that the peer expects no response to.</summary>
    public static bool ExpectsNoResponse(Pdu request) =>
        request.CommandId is CommandId.AlertNotification or CommandId.Outbind;
}
