using System.Globalization;

namespace Contacto.Accounts;

/// <summary>Accounts as the API shows them: Plivo's field names and formats.</summary>
internal sealed class AccountViews(AccountFields fields, AccountService accounts)
{
    public async Task<object> AccountAsync(Account account, string apiId, CancellationToken ct) => new
    {
        account_type = account.AccountType,
        address = await fields.OpenOptionalAsync(account.Id, AccountFields.AddressPurpose, account.AddressSealed, ct) ?? "",
        api_id = apiId,
        auth_id = account.AuthId,
        auto_recharge = account.AutoRecharge,
        billing_mode = account.BillingMode,
        cash_credits = account.CashCredits.ToString("0.00000", CultureInfo.InvariantCulture),
        city = await fields.OpenOptionalAsync(account.Id, AccountFields.CityPurpose, account.CitySealed, ct) ?? "",
        created = Day(account.CreatedAt),
        enabled = account.Enabled,
        name = await fields.OpenAsync(account.Id, AccountFields.NamePurpose, account.NameSealed, ct),
        resource_uri = $"/v1/Account/{account.AuthId}/",
        state = await fields.OpenOptionalAsync(account.Id, AccountFields.StatePurpose, account.StateSealed, ct) ?? "",
        timezone = account.Timezone,
    };

    /// <param name="apiId">The request's api_id for a single object; null for an item of a list.</param>
    public async Task<object> SubaccountAsync(Account subaccount, string parentAuthId, string? apiId, CancellationToken ct)
    {
        var view = new Dictionary<string, object?>
        {
            ["account"] = $"/v1/Account/{parentAuthId}/",
            ["auth_id"] = subaccount.AuthId,
            ["auth_token"] = await accounts.RevealTokenAsync(subaccount, ct),
            ["created"] = Day(subaccount.CreatedAt),
            ["enabled"] = subaccount.Enabled,
            ["modified"] = subaccount.ModifiedAt is { } modified ? Day(modified) : null,
            ["name"] = await fields.OpenAsync(subaccount.Id, AccountFields.NamePurpose, subaccount.NameSealed, ct),
            ["resource_uri"] = $"/v1/Account/{parentAuthId}/Subaccount/{subaccount.AuthId}/",
        };
        if (apiId is not null)
            view["api_id"] = apiId;
        return view;
    }

    static string Day(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
