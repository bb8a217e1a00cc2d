using System.Diagnostics;
using System.Net;

namespace Contacto.Testing;

/// <summary>
/// Kamailio (Debian's) as a SIP proxy in front of Contacto, run unprivileged in the foreground
/// (<c>-DD -E</c>) from a configuration written to a folder of its own: its dispatcher spreads
/// calls from outside over set 1 (Contacto nodes) and calls from the nodes over set 2 (trunks),
/// round robin, probing every destination with OPTIONS each second and failing a call over to
/// the next destination on 408, 500 or 503. The configuration is the README's.
/// </summary>
public sealed class Kamailio : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("kamailio-").FullName;
    readonly Process process;
    readonly Task<string> errors;

    Kamailio(int port, IEnumerable<IPEndPoint> nodes, IEnumerable<IPEndPoint> trunks)
    {
        Port = port;
        File.WriteAllLines(Path.Combine(folder, "dispatcher.list"),
            [.. nodes.Select(n => $"1 sip:{n}"), .. trunks.Select(t => $"2 sip:{t}")]);
        File.WriteAllText(Path.Combine(folder, "kamailio.cfg"), Configuration(port, Path.Combine(folder, "dispatcher.list")));
        // Debian puts it in /usr/sbin, which is not on every user's path.
        var start = new ProcessStartInfo(File.Exists("/usr/sbin/kamailio") ? "/usr/sbin/kamailio" : "kamailio") { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = folder };
        foreach (var argument in new[] { "-DD", "-E", "-f", Path.Combine(folder, "kamailio.cfg"), "-Y", folder, "-m", "32", "-M", "8" })
            start.ArgumentList.Add(argument);
        process = Process.Start(start)!;
        errors = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
    }

    public int Port { get; }

    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    /// <summary>What Kamailio wrote to standard error, once it has exited (for a failing test to show).</summary>
    public string Log => process.HasExited ? errors.Result : "(still running)";

    public bool HasExited => process.HasExited;

    public static Kamailio Start(int port, IEnumerable<IPEndPoint> nodes, IEnumerable<IPEndPoint> trunks) => new(port, nodes, trunks);

    public void Dispose()
    {
        if (!process.HasExited)
            process.Kill(entireProcessTree: true);
        process.WaitForExit(10_000);
        process.Dispose();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>The set-up the README documents, on loopback.</summary>
    public static string Configuration(int port, string dispatcherList) => $$"""
        #!KAMAILIO
        debug=1
        log_stderror=yes
        children=2
        auto_aliases=no
        listen=udp:127.0.0.1:{{port}}
        mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"

        loadmodule "kex.so"
        loadmodule "corex.so"
        loadmodule "tm.so"
        loadmodule "sl.so"
        loadmodule "rr.so"
        loadmodule "pv.so"
        loadmodule "maxfwd.so"
        loadmodule "siputils.so"
        loadmodule "textops.so"
        loadmodule "dispatcher.so"

        # A destination that does not answer within a second is given up (and marked down).
        modparam("tm", "fr_timer", 1000)
        modparam("dispatcher", "list_file", "{{dispatcherList}}")
        modparam("dispatcher", "flags", 2)
        modparam("dispatcher", "ds_ping_interval", 1)
        modparam("dispatcher", "ds_probing_mode", 1)
        modparam("dispatcher", "ds_probing_threshold", 1)
        modparam("dispatcher", "ds_inactive_threshold", 1)
        modparam("dispatcher", "ds_ping_from", "sip:kamailio@127.0.0.1:{{port}}")

        request_route {
            if (!mf_process_maxfwd_header("10")) {
                sl_send_reply("483", "Too Many Hops");
                exit;
            }
            if (has_totag()) {
                if (loose_route()) {
                    t_relay();
                    exit;
                }
                if (is_method("ACK") && t_check_trans()) {
                    t_relay();
                }
                exit;
            }
            # Keep-alives addressed to the proxy itself (Contacto's OPTIONS to its trunk).
            if (is_method("OPTIONS") && uri == myself && $rU == $null) {
                sl_send_reply("200", "OK");
                exit;
            }
            if (is_method("CANCEL")) {
                if (t_check_trans()) {
                    t_relay();
                }
                exit;
            }
            t_check_trans();
            # Calls from a Contacto node go to the trunks (set 2), every other call to the nodes (set 1).
            if (ds_is_from_list("1")) {
                $var(set) = 2;
            } else {
                $var(set) = 1;
            }
            if (!ds_select_dst("$var(set)", "4")) {
                sl_send_reply("503", "No destination");
                exit;
            }
            record_route();
            t_on_failure("NEXT");
            if (!t_relay()) {
                sl_reply_error();
            }
            exit;
        }

        # Only failures that reached no callee move the call to the next destination.
        failure_route[NEXT] {
            if (t_is_canceled()) {
                exit;
            }
            if (t_check_status("408|500|503")) {
                if (t_branch_timeout() || !t_branch_replied()) {
                    ds_mark_dst("ip");
                }
                if (ds_next_dst()) {
                    t_on_failure("NEXT");
                    t_relay();
                }
            }
        }
        """;
}
