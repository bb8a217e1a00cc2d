namespace Contacto.Smpp.Session;

/// <summary>sequence_number source: 1 to 0x7FFFFFFF, then wraps to 1, safe across threads.</summary>
internal sealed class SequenceNumbers(uint last = 0)
{
    public const uint Max = 0x7FFFFFFF;

    private uint _last = last;

    public uint Next()
    {
        while (true)
        {
            var current = Volatile.Read(ref _last);
            var next = current >= Max ? 1 : current + 1;
            if (Interlocked.CompareExchange(ref _last, next, current) == current)
            {
                return next;
            }
        }
    }
}
