using System.Text;
using Contacto.Crypto;

namespace Contacto.Messaging;

/// <summary>Opens the sealed fields of many messages with one key lease per account.</summary>
static class SealedFields
{
    /// <summary>Opens one sealed field of a message, bound to its id: (purpose, envelope) to text.</summary>
    public delegate string Opener(string purpose, byte[] envelope);

    /// <summary>Gives <paramref name="read"/> each message with an opener for its fields; returns what it read, by message id.</summary>
    public static async Task<Dictionary<Guid, T>> OpenAsync<T>(ITenantCrypto crypto, IEnumerable<Message> messages,
        Func<Message, Opener, T> read, CancellationToken cancellationToken)
    {
        var opened = new Dictionary<Guid, T>();
        foreach (var account in messages.GroupBy(m => m.AccountId))
        {
            using var keys = await crypto.LeaseKeysAsync(account.Key, cancellationToken);
            foreach (var message in account)
                opened[message.Id] = read(message, (purpose, envelope) => Encoding.UTF8.GetString(keys.Open(purpose, message.Id, envelope)));
        }
        return opened;
    }
}
