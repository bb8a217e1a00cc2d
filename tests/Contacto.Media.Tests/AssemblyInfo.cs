// The media tests run real sockets, SIPp captures and speech engines on Linux.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
