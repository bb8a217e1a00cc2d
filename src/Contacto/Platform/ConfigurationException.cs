namespace Contacto.Platform;

/// <summary>
/// Configuration the platform cannot run with. The message names the key and what is wrong;
/// hosts print it and exit non-zero.
/// </summary>
internal sealed class ConfigurationException(string key, string problem) : Exception($"{key}: {problem}")
{
    public string Key { get; } = key;
}
