using System.Net;
using Microsoft.Extensions.Logging;

namespace Contacto.Sip.Transport;

/// <summary>Log messages of the SIP library: addresses and reasons, never message content.</summary>
internal static partial class SipLog
{
    [LoggerMessage(EventId = 2500, Level = LogLevel.Information, Message = "SIP listening on {Transport} {EndPoint}")]
    public static partial void Listening(ILogger logger, string transport, IPEndPoint endPoint);

    [LoggerMessage(EventId = 2501, Level = LogLevel.Debug, Message = "SIP message from {Transport} {Remote} refused: {Status} {Error}")]
    public static partial void Refused(ILogger logger, string transport, IPEndPoint remote, int status, string error);

    [LoggerMessage(EventId = 2502, Level = LogLevel.Debug, Message = "SIP connection {Transport} {Remote} closed: {Reason}")]
    public static partial void ConnectionClosed(ILogger logger, string transport, IPEndPoint remote, string reason);

    [LoggerMessage(EventId = 2503, Level = LogLevel.Warning, Message = "SIP connection from {Remote} refused: {Count} connections open")]
    public static partial void TooManyConnections(ILogger logger, IPEndPoint remote, int count);

    [LoggerMessage(EventId = 2504, Level = LogLevel.Warning, Message = "SIP receive on {Transport} failed")]
    public static partial void ReceiveFailed(ILogger logger, Exception error, string transport);

    [LoggerMessage(EventId = 2505, Level = LogLevel.Error, Message = "SIP message handler failed for a message from {Transport} {Remote}")]
    public static partial void HandlerFailed(ILogger logger, Exception error, string transport, IPEndPoint remote);

    [LoggerMessage(EventId = 2506, Level = LogLevel.Debug, Message = "SIP response could not be sent to {Target}: {Error}")]
    public static partial void ResponseNotSent(ILogger logger, string target, string error);

    [LoggerMessage(EventId = 2507, Level = LogLevel.Debug, Message = "SIP TLS handshake with {Remote} failed: {Error}")]
    public static partial void HandshakeFailed(ILogger logger, IPEndPoint remote, string error);
}
