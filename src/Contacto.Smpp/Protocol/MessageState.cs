namespace Contacto.Smpp.Protocol;

/// <summary>message_state values (section 5.2.28), also the outcome of a delivery receipt.</summary>
public enum MessageState : byte
{
    Enroute = 1,
    Delivered = 2,
    Expired = 3,
    Deleted = 4,
    Undeliverable = 5,
    Accepted = 6,
    Unknown = 7,
    Rejected = 8,
}

public static class MessageStateExtensions
{
    /// <summary>True when no later receipt will change the outcome.</summary>
    public static bool IsFinal(this MessageState state) => state != MessageState.Enroute;
}
