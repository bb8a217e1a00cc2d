using Contacto.Accounts;

namespace Contacto.Webhooks;

/// <summary>
/// The tokens a request to an account's URL is signed with: the account's own and its main
/// account's (a main account's are the same). Callbacks and the URLs calls fetch use them alike.
/// </summary>
internal sealed class SigningTokens(AccountService accounts)
{
    public async Task<(string Token, string MainToken)> ForAsync(Guid accountId, CancellationToken cancellationToken)
    {
        var account = await accounts.FindByIdAsync(accountId, cancellationToken) ?? throw new InvalidOperationException("The account no longer exists");
        var token = await accounts.RevealTokenAsync(account, cancellationToken);
        if (account.ParentId is not { } parentId)
            return (token, token);
        var main = await accounts.FindByIdAsync(parentId, cancellationToken) ?? throw new InvalidOperationException("The main account no longer exists");
        return (token, await accounts.RevealTokenAsync(main, cancellationToken));
    }
}
