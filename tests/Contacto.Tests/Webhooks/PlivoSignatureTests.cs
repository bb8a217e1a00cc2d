using Contacto.Webhooks;

namespace Contacto.Tests.Webhooks;

/// <summary>The reference's worked vectors, each validated by the official SDK.</summary>
public sealed class PlivoSignatureTests
{
    const string Token = "MY_AUTH_TOKEN_0123456789abcdef";
    const string Nonce = "05429567804466091622";

    public static TheoryData<string, string, string[], string> V3Vectors => new()
    {
        { "POST", "https://myapp.example.com/plivo/answer/",
            ["CallUUID", "9a1b2c3d-0000-4000-8000-000000000001", "From", "14155551111", "To", "14155552222", "Direction", "inbound", "CallStatus", "ringing", "Event", "StartApp"],
            "Jal6U6oPJ3ym/8GFAdCBrAay+Uoq+AepjxP2nR9xUxo=" },
        { "POST", "https://myapp.example.com/cb?z=9&a=1", ["Digits", "123", "Foo", "b", "Foo", "a"], "qHcnHOSnl1O/T5i0jOEf3fKSL5SMYzEN6saYTzSqBgo=" },
        { "GET", "https://myapp.example.com/answer?To=14155552222&From=14155551111", [], "zrRE4yqHd8x+kluj4WvPXiSmLY7M+x8vDdugS7k05ZI=" },
        { "GET", "http://127.0.0.1:5000/hook/?CallUUID=abc&Digits=5", [], "YLgegs9Rmba3eZcIDXHiduYKdFDV9kFuN3lvSvArBhg=" },
        { "POST", "https://myapp.example.com/empty", [], "Pk/ndXg1X2ddvlIB5Qp7QRH1dry6tKJsB3iLEhEYsMw=" },
        { "POST", "https://myapp.example.com/enc?q=a%20b", ["Text", "hello world"], "ibPyM51Xm6omYIcq7UJfGtn/iO0MtDgTaUtjOjpGca4=" },
    };

    [Theory]
    [MemberData(nameof(V3Vectors))]
    public void V3_matches_the_reference_vectors(string method, string url, string[] fields, string expected)
    {
        var pairs = fields.Chunk(2).Select(f => new KeyValuePair<string, string>(f[0], f[1]));
        Assert.Equal(expected, PlivoSignature.V3(method, new Uri(url), pairs, Nonce, Token));
    }

    [Fact]
    public void V2_matches_the_reference_vector()
    {
        Assert.Equal("uLCXLMJU5Ucj9jqD8qdZEe0yJchffug7RvPeF2I7uIk=",
            PlivoSignature.V2(new Uri("https://myapp.example.com/plivo/answer/?x=1"), "12345678901234567890", Token));
    }

    [Fact]
    public void A_different_token_or_field_gives_another_signature()
    {
        var url = new Uri("https://myapp.example.com/cb");
        KeyValuePair<string, string>[] fields = [new("Status", "delivered")];
        var genuine = PlivoSignature.V3("POST", url, fields, Nonce, Token);
        Assert.NotEqual(genuine, PlivoSignature.V3("POST", url, fields, Nonce, Token + "x"));
        Assert.NotEqual(genuine, PlivoSignature.V3("POST", url, [new("Status", "failed")], Nonce, Token));
        Assert.NotEqual(genuine, PlivoSignature.V3("POST", url, fields, "1" + Nonce[1..], Token));
        Assert.Matches("^[0-9]{20}$", PlivoSignature.NewNonce());
    }
}
