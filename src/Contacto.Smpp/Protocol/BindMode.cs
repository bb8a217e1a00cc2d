namespace Contacto.Smpp.Protocol;

/// <summary>Which way messages flow on a bind.</summary>
public enum BindMode
{
    Transmitter,
    Receiver,
    Transceiver,
}

public static class BindModeExtensions
{
    public static CommandId RequestId(this BindMode mode) => mode switch
    {
        BindMode.Transmitter => CommandId.BindTransmitter,
        BindMode.Receiver => CommandId.BindReceiver,
        _ => CommandId.BindTransceiver,
    };

    public static bool CanSubmit(this BindMode mode) => mode != BindMode.Receiver;

    public static bool CanReceive(this BindMode mode) => mode != BindMode.Transmitter;

    internal static BindMode? FromRequestId(CommandId id) => id switch
    {
        CommandId.BindTransmitter => BindMode.Transmitter,
        CommandId.BindReceiver => BindMode.Receiver,
        CommandId.BindTransceiver => BindMode.Transceiver,
        _ => null,
    };
}
