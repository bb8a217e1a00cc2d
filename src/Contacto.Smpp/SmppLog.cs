using Microsoft.Extensions.Logging;

namespace Contacto.Smpp;

/// <summary>Log messages of the SMPP library: connection and bind names, states and reasons, never message content.</summary>
internal static partial class SmppLog
{
    [LoggerMessage(EventId = 2400, Level = LogLevel.Information, Message = "{Connection}: closed ({Reason})")]
    public static partial void Closed(ILogger logger, string connection, Session.ConnectionCloseReason reason);

    [LoggerMessage(EventId = 2401, Level = LogLevel.Debug, Message = "{Connection}: unbind not answered: {Error}")]
    public static partial void UnbindNotAnswered(ILogger logger, string connection, string error);

    [LoggerMessage(EventId = 2402, Level = LogLevel.Warning, Message = "{Connection}: peer is not reading, {Count} PDUs queued")]
    public static partial void PeerNotReading(ILogger logger, string connection, int count);

    [LoggerMessage(EventId = 2403, Level = LogLevel.Debug, Message = "{Connection}: write failed: {Error}")]
    public static partial void WriteFailed(ILogger logger, string connection, string error);

    [LoggerMessage(EventId = 2404, Level = LogLevel.Error, Message = "{Connection}: writing failed unexpectedly")]
    public static partial void WriteFailedUnexpectedly(ILogger logger, Exception exception, string connection);

    [LoggerMessage(EventId = 2405, Level = LogLevel.Warning, Message = "{Connection}: framing lost, closing: {Error}")]
    public static partial void FramingLost(ILogger logger, string connection, string error);

    [LoggerMessage(EventId = 2406, Level = LogLevel.Debug, Message = "{Connection}: read failed: {Error}")]
    public static partial void ReadFailed(ILogger logger, string connection, string error);

    [LoggerMessage(EventId = 2407, Level = LogLevel.Error, Message = "{Connection}: reading failed unexpectedly")]
    public static partial void ReadFailedUnexpectedly(ILogger logger, Exception exception, string connection);

    [LoggerMessage(EventId = 2408, Level = LogLevel.Warning, Message = "{Connection}: malformed PDU refused: {Error}")]
    public static partial void MalformedPdu(ILogger logger, string connection, string error);

    [LoggerMessage(EventId = 2409, Level = LogLevel.Debug, Message = "{Connection}: unexpected {Command} seq {Sequence} ignored")]
    public static partial void UnexpectedPdu(ILogger logger, string connection, Protocol.CommandId command, uint sequence);

    [LoggerMessage(EventId = 2410, Level = LogLevel.Warning, Message = "{Connection}: handler failed on {Command}: {Error}")]
    public static partial void HandlerFailed(ILogger logger, string connection, Protocol.CommandId command, string error);

    [LoggerMessage(EventId = 2411, Level = LogLevel.Warning, Message = "{Connection}: enquire_link unanswered, peer considered dead")]
    public static partial void PeerDead(ILogger logger, string connection);

    [LoggerMessage(EventId = 2420, Level = LogLevel.Information, Message = "{Bind}: throttled ({Status}), slowing down")]
    public static partial void Throttled(ILogger logger, string bind, Protocol.CommandStatus status);

    [LoggerMessage(EventId = 2421, Level = LogLevel.Information, Message = "{Bind}: down, reconnecting in {Delay} ms")]
    public static partial void Reconnecting(ILogger logger, string bind, int delay);
}
