namespace Contacto.Smpp.Protocol;

/// <summary>One optional parameter: tag, and its value as sent on the wire.</summary>
public readonly record struct Tlv(ushort Tag, byte[] Value);
