using Contacto.Smpp.Protocol;

namespace Contacto.Smpp.Client;

/// <summary>The SMSC's answer to one submit: its message id, or the error status.</summary>
public readonly record struct SubmitResult(CommandStatus Status, string MessageId, string BindName)
{
    public bool IsAccepted => Status == CommandStatus.Ok;

    /// <summary>Still throttled after the retries: try again later, not a delivery failure.</summary>
    public bool IsTemporary => Status.IsThrottling();
}
