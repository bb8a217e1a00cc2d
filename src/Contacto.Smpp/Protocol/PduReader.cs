using System.Buffers.Binary;
using System.Text;

namespace Contacto.Smpp.Protocol;

/// <summary>
/// Reads PDU fields from one frame. Every read is checked against what is left, so a lying
/// length can never make it allocate or read beyond the frame.
/// </summary>
internal ref struct PduReader(ReadOnlySpan<byte> body)
{
    private readonly ReadOnlySpan<byte> _body = body;
    private int _position;

    public readonly int Remaining => _body.Length - _position;

    public byte ReadByte()
    {
        Require(1, "octet");
        return _body[_position++];
    }

    public ushort ReadUInt16()
    {
        Require(2, "16-bit integer");
        var value = BinaryPrimitives.ReadUInt16BigEndian(_body[_position..]);
        _position += 2;
        return value;
    }

    public uint ReadUInt32()
    {
        Require(4, "32-bit integer");
        var value = BinaryPrimitives.ReadUInt32BigEndian(_body[_position..]);
        _position += 4;
        return value;
    }

    /// <summary>Reads a NUL-terminated string of at most <paramref name="maxLength"/> octets including the NUL.</summary>
    public string ReadCString(int maxLength, string field)
    {
        var window = _body.Slice(_position, Math.Min(Remaining, maxLength));
        var nul = window.IndexOf((byte)0);
        if (nul < 0)
        {
            throw new PduFormatException(
                $"{field} is not NUL-terminated within {maxLength} octets.", CommandStatus.InvalidParameterLength);
        }
        var value = nul == 0 ? string.Empty : Encoding.Latin1.GetString(window[..nul]);
        _position += nul + 1;
        return value;
    }

    public byte[] ReadBytes(int count, string field)
    {
        Require(count, field);
        var value = _body.Slice(_position, count).ToArray();
        _position += count;
        return value;
    }

    /// <summary>Reads the optional parameters that fill the rest of the body.</summary>
    public void ReadTlvs(TlvCollection into)
    {
        while (Remaining > 0)
        {
            if (Remaining < 4)
            {
                throw new PduFormatException("Truncated TLV header.", CommandStatus.InvalidOptionalParameterStream);
            }
            var tag = ReadUInt16();
            var length = ReadUInt16();
            if (length > Remaining)
            {
                throw new PduFormatException(
                    $"TLV 0x{tag:X4} claims {length} octets, {Remaining} left.", CommandStatus.InvalidParameterLength);
            }
            into.Add(tag, ReadBytes(length, "TLV value"));
        }
    }

    public readonly void ExpectEnd()
    {
        if (Remaining != 0)
        {
            throw new PduFormatException($"{Remaining} unexpected octets after the body.", CommandStatus.InvalidCommandLength);
        }
    }

    private readonly void Require(int count, string field)
    {
        if (count > Remaining)
        {
            throw new PduFormatException($"Frame ends inside {field}.", CommandStatus.InvalidCommandLength);
        }
    }
}
