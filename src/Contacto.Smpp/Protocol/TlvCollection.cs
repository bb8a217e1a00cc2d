using System.Buffers.Binary;
using System.Collections;
using System.Text;

namespace Contacto.Smpp.Protocol;

/// <summary>The optional parameters of a PDU, in wire order, with typed accessors.</summary>
public sealed class TlvCollection : IReadOnlyList<Tlv>
{
    private readonly List<Tlv> _items = [];

    public int Count => _items.Count;

    public Tlv this[int index] => _items[index];

    internal int EncodedLength
    {
        get
        {
            var length = 0;
            foreach (var tlv in _items)
            {
                length += 4 + tlv.Value.Length;
            }
            return length;
        }
    }

    public void Add(ushort tag, byte[] value)
    {
        if (value.Length > ushort.MaxValue)
        {
            throw new ArgumentException("A TLV value holds at most 65535 bytes.", nameof(value));
        }
        _items.Add(new Tlv(tag, value));
    }

    /// <summary>Replaces every parameter with this tag by one with the new value.</summary>
    public void Set(ushort tag, byte[] value)
    {
        Remove(tag);
        Add(tag, value);
    }

    public void SetByte(ushort tag, byte value) => Set(tag, [value]);

    public void SetUInt16(ushort tag, ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        Set(tag, bytes);
    }

    /// <summary>Sets a C-octet string value (terminated by NUL on the wire).</summary>
    public void SetCString(ushort tag, string value)
    {
        var bytes = new byte[value.Length + 1];
        Encoding.Latin1.GetBytes(value, bytes);
        Set(tag, bytes);
    }

    public bool Remove(ushort tag) => _items.RemoveAll(t => t.Tag == tag) > 0;

    public bool TryGet(ushort tag, out byte[] value)
    {
        foreach (var tlv in _items)
        {
            if (tlv.Tag == tag)
            {
                value = tlv.Value;
                return true;
            }
        }
        value = [];
        return false;
    }

    public byte? GetByte(ushort tag) => TryGet(tag, out var v) && v.Length == 1 ? v[0] : null;

    public ushort? GetUInt16(ushort tag) =>
        TryGet(tag, out var v) && v.Length == 2 ? BinaryPrimitives.ReadUInt16BigEndian(v) : null;

    /// <summary>Reads a string value, with or without the NUL that some carriers leave out.</summary>
    public string? GetCString(ushort tag)
    {
        if (!TryGet(tag, out var v))
        {
            return null;
        }
        var end = Array.IndexOf(v, (byte)0);
        return Encoding.Latin1.GetString(v, 0, end < 0 ? v.Length : end);
    }

    public IEnumerator<Tlv> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
