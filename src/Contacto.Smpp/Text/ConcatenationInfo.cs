namespace Contacto.Smpp.Text;

/// <summary>Which part of which long message this is, from a header or SAR TLVs.</summary>
public readonly record struct ConcatenationInfo(ushort Reference, int Total, int Sequence);
