using System.Diagnostics;
using System.Runtime.InteropServices;

namespace CareRegistry.Bench;

// CPU time a process has used (user + system, every thread), from /proc/<pid>/stat. Divided by the requests of a
// phase it is a figure that other work on the machine barely moves: contention stretches latency and lowers
// throughput, but the service's own CPU per command stays what its code costs (cache effects aside).
public static class Cpu
{
    [DllImport("libc", EntryPoint = "sysconf")]
    private static extern long SysConf(int name);

    private const int ScClkTck = 2;
    internal static readonly double TicksPerSecond = TryTicks();

    private static double TryTicks()
    {
        try { return SysConf(ScClkTck) is > 0 and var t ? t : 100; }
        catch (Exception) { return 100; }
    }

    // Seconds of CPU the process has used so far; NaN when it cannot be read (not Linux, process gone).
    public static double Seconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
            var rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // rest[0] is field 3 (state); utime is field 14, stime field 15.
            return (long.Parse(rest[11]) + long.Parse(rest[12])) / TicksPerSecond;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException) { return double.NaN; }
    }

    public static double Own() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
}

// CPU used by the service and by the harness across a span of requests.
public sealed class CpuSpan(int pid)
{
    private readonly double service0 = Cpu.Seconds(pid);
    private readonly double harness0 = Cpu.Own();
    private readonly Stopwatch wall = Stopwatch.StartNew();

    public (double ServiceSeconds, double HarnessSeconds, double WallSeconds) Stop() =>
        (Cpu.Seconds(pid) - service0, Cpu.Own() - harness0, wall.Elapsed.TotalSeconds);
}

// The whole machine's CPU from /proc/stat's first line, in seconds: busy (user, nice, system, irq, softirq, steal) and
// waiting for I/O. The difference of two reads over the wall time between them is cores in use.
public readonly record struct MachineCpu(double BusySeconds, double IoWaitSeconds, double At)
{
    public static MachineCpu Read()
    {
        var at = Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;
        try
        {
            var f = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
            // user nice system idle iowait irq softirq steal
            return new((f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) / Cpu.TicksPerSecond, f[4] / Cpu.TicksPerSecond, at);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException) { return new(double.NaN, double.NaN, at); }
    }

    public (double Busy, double IoWait) Since(MachineCpu start)
    {
        var wall = At - start.At;
        return wall <= 0 ? (double.NaN, double.NaN) : ((BusySeconds - start.BusySeconds) / wall, (IoWaitSeconds - start.IoWaitSeconds) / wall);
    }
}
