namespace Contacto.Smpp.Text;

/// <summary>The text of an inbound message (null when binary) and which part of a long message it is.</summary>
public readonly record struct DecodedText(string? Text, ConcatenationInfo? Concatenation);
