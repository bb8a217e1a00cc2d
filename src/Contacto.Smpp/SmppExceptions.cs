using Contacto.Smpp.Session;

namespace Contacto.Smpp;

/// <summary>Base of the failures this library reports. Messages never carry numbers or secrets.</summary>
public class SmppException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>
    /// True when the request may have reached the peer, so a retry can duplicate the message.
    /// False when it certainly was not sent.
    /// </summary>
    public virtual bool PossiblySent => false;
}

/// <summary>No bind could take the request; nothing was sent.</summary>
public sealed class SmppNotBoundException(string message) : SmppException(message);

/// <summary>The request was sent and no response came in time.</summary>
public sealed class SmppResponseTimeoutException(string message) : SmppException(message)
{
    public override bool PossiblySent => true;
}

/// <summary>The connection ended while the request was queued or in flight.</summary>
public sealed class SmppConnectionClosedException(ConnectionCloseReason reason)
    : SmppException($"The SMPP connection closed ({reason}).")
{
    public ConnectionCloseReason Reason { get; } = reason;

    public override bool PossiblySent => true;
}
