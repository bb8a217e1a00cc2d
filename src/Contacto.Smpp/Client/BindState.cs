namespace Contacto.Smpp.Client;

public enum BindState
{
    /// <summary>Not started, or waiting before the next attempt.</summary>
    Down,

    /// <summary>Connecting, or waiting for bind_resp.</summary>
    Binding,

    /// <summary>Bound: submits go through.</summary>
    Bound,

    /// <summary>Stopped for good after StopAsync.</summary>
    Stopped,
}
