using Contacto.Server;
using Contacto.Testing;

namespace Contacto.Server.Tests;

[CollectionDefinition(nameof(ProcessEnvironment), DisableParallelization = true)]
public sealed class ProcessEnvironment;

/// <summary>Changes process-wide environment variables, so it runs with no other test beside it.</summary>
[Collection(nameof(ProcessEnvironment))]
public sealed class EnvironmentConfigurationTests
{
    [Fact]
    public async Task Environment_variables_with_the_CONTACTO_prefix_configure_the_server()
    {
        using var data = new TempDirectory();
        var error = new StringWriter();
        // A variable name that only this test uses, so parallel tests are unaffected.
        var variable = "CONTACTO_STORAGE__COMMANDTIMEOUTSECONDS";
        Environment.SetEnvironmentVariable(variable, "99999");
        try
        {
            var exitCode = await ContactoServer.RunAsync(["--data-dir", data.Combine("data"), "--public-url", "https://127.0.0.1:0", "--ops-url", "https://127.0.0.1:0"], TextWriter.Null, error);
            Assert.Equal(2, exitCode);
            Assert.Contains("Storage:CommandTimeoutSeconds", error.ToString());
            Assert.Contains("99999", error.ToString());
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }
}
