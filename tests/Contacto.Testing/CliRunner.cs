using Contacto.Cli;

namespace Contacto.Testing;

/// <summary>Runs the <c>contacto</c> command in-process against a test's storage.</summary>
public static class CliRunner
{
    /// <summary>Returns standard output; fails the test with standard error when the exit code is not 0.</summary>
    public static async Task<string> RunAsync(TestStorage storage, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = await ContactoCli.InvokeAsync([.. storage.Arguments, .. args], output, error);
        Assert.True(exitCode == 0, $"contacto {string.Join(' ', args)} exited {exitCode}: {error}");
        return output.ToString();
    }
}
