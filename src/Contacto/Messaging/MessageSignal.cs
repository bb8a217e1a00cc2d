using Contacto.Platform;

namespace Contacto.Messaging;

/// <summary>Wakes the dispatcher when this node queues messages.</summary>
internal sealed class MessageSignal(TimeProvider time) : WorkSignal(time);
