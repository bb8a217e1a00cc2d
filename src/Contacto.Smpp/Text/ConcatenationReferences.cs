namespace Contacto.Smpp.Text;

/// <summary>
/// Reference numbers for long messages: the same for all parts of one message, a new one for
/// the next. 8-bit references wrap at 255, 16-bit ones at 65535.
/// </summary>
public sealed class ConcatenationReferences(int seed)
{
    private int _next = seed;

    public ConcatenationReferences() : this(Random.Shared.Next())
    {
    }

    public ushort Next(ConcatenationMode mode)
    {
        var value = Interlocked.Increment(ref _next);
        return mode == ConcatenationMode.Udh8BitReference ? (ushort)(value & 0xFF) : (ushort)(value & 0xFFFF);
    }
}
