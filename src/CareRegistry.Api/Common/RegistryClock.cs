namespace CareRegistry.Common;

// The registry's calendar is China Standard Time (UTC+8, no daylight saving): "today" for a regulator in Kunming.
public static class RegistryClock
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(8);

    public static DateOnly Today(this TimeProvider clock) => DateOnly.FromDateTime(clock.GetUtcNow().ToOffset(Offset).DateTime);
}
