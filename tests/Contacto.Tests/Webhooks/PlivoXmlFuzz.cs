using CsCheck;

namespace Contacto.Tests.Webhooks;

/// <summary>Runs a reader of Plivo XML over generated documents, each of which it must read or refuse with its own exception: nothing else may escape.</summary>
internal static class PlivoXmlFuzz
{
    /// <summary>How many documents were read and how many refused, for the caller to check that both ways out were taken.</summary>
    public static (int Read, int Refused) Run<TRefusal>(Gen<string> documents, uint stream, ulong seed, int count, Action<string> read)
        where TRefusal : Exception
    {
        var (done, refused) = (0, 0);
        for (var i = 0; i < count; i++)
        {
            var xml = documents.Generate(new PCG(stream, seed + (ulong)i), null, out Size _);
            try
            {
                read(xml);
                done++;
            }
            catch (TRefusal)
            {
                refused++;
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"input {i} of seed {seed} threw {e.GetType().Name}: {e.Message}\n{xml[..Math.Min(xml.Length, 500)]}");
            }
        }
        return (done, refused);
    }
}
