using System.Diagnostics;
using Contacto.Console;

namespace Contacto.Tests.Console;

public sealed class PasswordHasherTests
{
    [Fact]
    public void A_user_without_a_password_fails_with_the_same_work_as_one_with_a_wrong_password()
    {
        var hasher = new PasswordHasher(memoryKib: 8 * 1024, passes: 2);
        var stored = hasher.Hash("the right password");
        // The fastest of a few runs: load on the machine only ever adds time.
        TimeSpan Fastest(string hash) => Enumerable.Range(0, 5).Select(_ =>
        {
            var clock = Stopwatch.StartNew();
            Assert.False(hasher.Verify("a wrong guess", hash));
            return clock.Elapsed;
        }).Min();

        var withPassword = Fastest(stored);
        var ssoOnly = Fastest(""); // how a user who joined an SSO-only account is stored
        Assert.True(ssoOnly >= withPassword * 0.5, $"an SSO-only user fails in {ssoOnly.TotalMilliseconds:F1} ms, others in {withPassword.TotalMilliseconds:F1} ms");
    }
}
