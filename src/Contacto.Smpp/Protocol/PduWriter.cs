using System.Buffers.Binary;
using System.Text;

namespace Contacto.Smpp.Protocol;

/// <summary>Writes PDU fields into a span sized by <see cref="Pdu.BodyLength"/>.</summary>
internal ref struct PduWriter(Span<byte> destination)
{
    private readonly Span<byte> _destination = destination;
    private int _position;

    public readonly int Position => _position;

    public void WriteByte(byte value) => _destination[_position++] = value;

    public void WriteUInt16(ushort value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_destination[_position..], value);
        _position += 2;
    }

    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_destination[_position..], value);
        _position += 4;
    }

    public void WriteCString(string value)
    {
        _position += Encoding.Latin1.GetBytes(value, _destination[_position..]);
        _destination[_position++] = 0;
    }

    public void WriteBytes(ReadOnlySpan<byte> value)
    {
        value.CopyTo(_destination[_position..]);
        _position += value.Length;
    }

    public void WriteTlvs(TlvCollection tlvs)
    {
        foreach (var tlv in tlvs)
        {
            WriteUInt16(tlv.Tag);
            WriteUInt16((ushort)tlv.Value.Length);
            WriteBytes(tlv.Value);
        }
    }

    /// <summary>Octets a C-octet string takes on the wire; rejects what the field cannot hold.</summary>
    public static int CStringLength(string value, int maxLength, string field)
    {
        if (value.Length + 1 > maxLength)
        {
            throw new ArgumentException($"{field} holds at most {maxLength - 1} characters.", field);
        }
        foreach (var c in value)
        {
            if (c is '\0' or > '\u00FF')
            {
                throw new ArgumentException($"{field} holds only Latin-1 characters other than NUL.", field);
            }
        }
        return value.Length + 1;
    }
}
