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
        TimeSpan Once(string hash)
        {
            var clock = Stopwatch.StartNew();
            Assert.False(hasher.Verify("a wrong guess", hash));
            return clock.Elapsed;
        }
        // The fastest of runs taken in turn: load on the machine only ever adds time, and taking
        // them in turn gives both the same quiet moments.
        var (withPassword, ssoOnly) = (TimeSpan.MaxValue, TimeSpan.MaxValue);
        for (var i = 0; i < 8; i++)
        {
            withPassword = TimeSpan.FromTicks(Math.Min(withPassword.Ticks, Once(stored).Ticks));
            ssoOnly = TimeSpan.FromTicks(Math.Min(ssoOnly.Ticks, Once("").Ticks)); // how a user who joined an SSO-only account is stored
        }
        // The flaw was no work at all (0 ms against 702 ms); beside other tests in a busy process
        // the fastest of each kind still differed by up to 2.5 times, so only a gap wider than that fails.
        Assert.True(ssoOnly >= withPassword * 0.2, $"an SSO-only user fails in {ssoOnly.TotalMilliseconds:F1} ms, others in {withPassword.TotalMilliseconds:F1} ms");
    }

    [Fact]
    public void An_empty_password_never_verifies_and_is_no_fault()
    {
        var hasher = new PasswordHasher(memoryKib: 1024, passes: 1);
        // The hashing library refuses an empty password: a form without one answered 500.
        Assert.False(hasher.Verify("", hasher.Hash("the right password")));
        Assert.False(hasher.Verify("", ""));
        hasher.Waste("");
    }
}
