using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Contacto.Testing;

/// <summary>Small helpers for calling the JSON API and reading its answers.</summary>
public static class ApiJson
{
    public static async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(this HttpClient client, HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is string raw)
            request.Content = new StringContent(raw, Encoding.UTF8, "application/json");
        else if (body is not null)
            request.Content = JsonContent.Create(body);
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    public static Task<(HttpStatusCode Status, JsonElement Body)> GetJsonAsync(this HttpClient client, string path) => client.SendAsync(HttpMethod.Get, path);

    public static Task<(HttpStatusCode Status, JsonElement Body)> PostJsonAsync(this HttpClient client, string path, object? body) => client.SendAsync(HttpMethod.Post, path, body);

    public static string Str(this JsonElement element, string name) => element.GetProperty(name).GetString()!;

    /// <summary>An error in the API's shape: an api_id and a message.</summary>
    public static string ErrorMessage(this JsonElement body)
    {
        Assert.True(Guid.TryParse(body.Str("api_id"), out _));
        return body.Str("error");
    }
}
