// The tests exercise Unix file modes, signals and the Debian PostgreSQL layout.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
