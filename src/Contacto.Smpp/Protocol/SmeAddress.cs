namespace Contacto.Smpp.Protocol;

/// <summary>
/// An address with its type of number and numbering plan. International numbers go as
/// TON 1 / NPI 1 without "+"; alphanumeric senders as TON 5 / NPI 0.
/// </summary>
public readonly record struct SmeAddress(byte Ton, byte Npi, string Address)
{
    public const byte TonUnknown = 0;
    public const byte TonInternational = 1;
    public const byte TonAlphanumeric = 5;
    public const byte NpiUnknown = 0;
    public const byte NpiIsdn = 1;

    public static SmeAddress Empty { get; } = new(0, 0, string.Empty);

    public static SmeAddress International(string digits) => new(TonInternational, NpiIsdn, digits.TrimStart('+'));

    public static SmeAddress Alphanumeric(string name) => new(TonAlphanumeric, NpiUnknown, name);

    internal int EncodedLength(int maxAddressLength, string field) =>
        2 + PduWriter.CStringLength(Address ?? string.Empty, maxAddressLength, field);

    internal void Write(ref PduWriter writer)
    {
        writer.WriteByte(Ton);
        writer.WriteByte(Npi);
        writer.WriteCString(Address ?? string.Empty);
    }

    internal static SmeAddress Read(ref PduReader reader, int maxAddressLength, string field) =>
        new(reader.ReadByte(), reader.ReadByte(), reader.ReadCString(maxAddressLength, field));

    /// <summary>Masks all but the last digits, so logs never carry a full number.</summary>
    public override string ToString() =>
        Address is { Length: > 4 } ? $"{Ton}/{Npi}/***{Address[^3..]}" : $"{Ton}/{Npi}/***";
}
