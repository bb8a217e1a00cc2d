namespace Contacto.Smpp.Session;

/// <summary>Why a connection ended.</summary>
public enum ConnectionCloseReason
{
    /// <summary>This side closed it (after unbind, or on shutdown).</summary>
    Local,

    /// <summary>The peer sent unbind and it was answered.</summary>
    PeerUnbound,

    /// <summary>The peer closed the socket.</summary>
    PeerClosed,

    /// <summary>The peer stopped answering enquire_link.</summary>
    DeadPeer,

    /// <summary>The peer sent bytes that are not SMPP; framing was lost.</summary>
    ProtocolError,

    /// <summary>Reading or writing the socket failed.</summary>
    TransportError,

    /// <summary>The peer kept sending but stopped reading: the queue of PDUs to write was full.</summary>
    PeerNotReading,
}
