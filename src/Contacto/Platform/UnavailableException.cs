namespace Contacto.Platform;

/// <summary>
/// A part the platform cannot act without is down, so the request is refused whole (503) and
/// nothing was done. <see cref="PublicMessage"/> is what a client may read; the message and the
/// inner exception stay in the logs.
/// </summary>
internal abstract class UnavailableException(string message, string publicMessage, Exception? inner) : Exception(message, inner)
{
    public string PublicMessage { get; } = publicMessage;
}
