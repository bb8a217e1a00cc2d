namespace Contacto.Media;

/// <summary>Base of the failures this library reports. Messages never carry keys, numbers or audio.</summary>
public class MediaException(string message, Exception? inner = null) : Exception(message, inner);
