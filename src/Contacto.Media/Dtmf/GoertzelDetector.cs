using System.Runtime.Intrinsics;

namespace Contacto.Media.Dtmf;

/// <summary>
/// Finds DTMF tones in 8 kHz audio for carriers that send them in-band only. Blocks of 205
/// samples (25.6 ms) are tested at the eight DTMF frequencies with the Goertzel algorithm; a
/// block holds a digit when one row and one column tone together carry most of its energy, each
/// stands 6 dB above the others of its group, the twist stays within 8 dB and the level is above
/// -40 dBFS. A digit is reported once when two blocks in a row agree, and again only after a
/// block without it.
/// </summary>
internal sealed class GoertzelDetector
{
    private const int BlockSize = 205;
    private const double SampleRate = 8000;
    private static readonly double[] Rows = [697, 770, 852, 941];
    private static readonly double[] Columns = [1209, 1336, 1477, 1633];
    private static readonly double[] RowCoefficients = Rows.Select(Coefficient).ToArray();
    private static readonly double[] ColumnCoefficients = Columns.Select(Coefficient).ToArray();
    private static readonly char[,] Keys = { { '1', '2', '3', 'A' }, { '4', '5', '6', 'B' }, { '7', '8', '9', 'C' }, { '*', '0', '#', 'D' } };
    private const double MinimumMeanSquare = 32768.0 * 32768.0 * 1e-4 / 2;   // a tone pair near -40 dBFS
    private const double MaxTwist = 6.31;          // 8 dB in power
    private const double GroupMargin = 4.0;        // 6 dB in power

    private readonly short[] _block = new short[BlockSize];
    private int _filled;
    private char? _candidate;
    private char? _reported;

    /// <summary>Feeds samples; returns a newly detected digit, or null.</summary>
    public char? Feed(ReadOnlySpan<short> samples)
    {
        char? detected = null;
        while (!samples.IsEmpty)
        {
            var take = Math.Min(samples.Length, BlockSize - _filled);
            samples[..take].CopyTo(_block.AsSpan(_filled));
            _filled += take;
            samples = samples[take..];
            if (_filled == BlockSize)
            {
                _filled = 0;
                var digit = Analyse(_block);
                if (digit is not null && digit == _candidate && digit != _reported)
                {
                    _reported = digit;
                    detected = digit;
                }
                if (digit is null)
                {
                    _reported = null;
                }
                _candidate = digit;
            }
        }
        return detected;
    }

    internal static char? Analyse(ReadOnlySpan<short> block)
    {
        double energy = 0;
        foreach (var sample in block)
        {
            energy += (double)sample * sample;
        }
        if (energy / block.Length < MinimumMeanSquare)
        {
            return null;
        }
        Span<double> rows = stackalloc double[4];
        Span<double> columns = stackalloc double[4];
        Powers(block, rows, columns);
        var row = Strongest(rows);
        var column = Strongest(columns);
        if (row < 0 || column < 0)
        {
            return null;
        }
        var rowPower = rows[row];
        var columnPower = columns[column];
        // A pure tone of energy E gives a Goertzel power of about E * N / 2.
        var share = (rowPower + columnPower) / (energy * block.Length / 2);
        if (share < 0.6 || columnPower > rowPower * MaxTwist || rowPower > columnPower * MaxTwist)
        {
            return null;
        }
        return Keys[row, column];
    }

    private static int Strongest(ReadOnlySpan<double> powers)
    {
        var best = 0;
        for (var i = 1; i < powers.Length; i++)
        {
            if (powers[i] > powers[best])
            {
                best = i;
            }
        }
        for (var i = 0; i < powers.Length; i++)
        {
            if (i != best && powers[i] * GroupMargin > powers[best])
            {
                return -1;
            }
        }
        return best;
    }

    /// <summary>
    /// The Goertzel power at all eight frequencies in one pass: rows and columns are four lanes
    /// each, so the eight recurrences run side by side instead of eight passes over the block
    /// (in-band detection runs on every frame of every call that has not sent RFC 4733 events).
    /// </summary>
    internal static void Powers(ReadOnlySpan<short> block, Span<double> rows, Span<double> columns)
    {
        var rowCoefficients = Vector256.Create(RowCoefficients);
        var columnCoefficients = Vector256.Create(ColumnCoefficients);
        Vector256<double> r1 = default, r2 = default, c1 = default, c2 = default;
        foreach (var sample in block)
        {
            var x = Vector256.Create((double)sample);
            var r = x + rowCoefficients * r1 - r2;
            var c = x + columnCoefficients * c1 - c2;
            r2 = r1;
            r1 = r;
            c2 = c1;
            c1 = c;
        }
        (r1 * r1 + r2 * r2 - rowCoefficients * r1 * r2).CopyTo(rows);
        (c1 * c1 + c2 * c2 - columnCoefficients * c1 * c2).CopyTo(columns);
    }

    private static double Coefficient(double frequency) => 2 * Math.Cos(2 * Math.PI * frequency / SampleRate);

    /// <summary>The two tones of a key, for in-band sending.</summary>
    internal static (double Row, double Column) Frequencies(char digit)
    {
        for (var r = 0; r < 4; r++)
        {
            for (var c = 0; c < 4; c++)
            {
                if (Keys[r, c] == char.ToUpperInvariant(digit))
                {
                    return (Rows[r], Columns[c]);
                }
            }
        }
        throw new ArgumentOutOfRangeException(nameof(digit), "Not a DTMF key.");
    }
}
