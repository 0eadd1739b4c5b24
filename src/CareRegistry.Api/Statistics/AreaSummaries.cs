using System.Data;
using System.Text.Json;
using Marten;
using Marten.Schema;
using Npgsql;
using NpgsqlTypes;

namespace CareRegistry.Statistics;

// Which version of a district's facts is current (Id: the facts' jurisdiction). The standing projection gives every
// district its batch touches a fresh number from one database sequence, in the batch's transaction, so a number
// names one state of that district's facts, on every node. Id "*" marks that every district with facts has a row
// (a database whose facts predate these rows is seeded once from the facts).
public sealed class StandingAreaVersion
{
    public string Id { get; set; } = "";
    public long Version { get; set; }

    public const string Table = "mt_doc_standingareaversion";
    public const string Sequence = "standing_area_version_seq";
    public const string Seeded = "*";

    public static void ConfigureMarten(DocumentMapping mapping) => mapping.DuplicateField(nameof(Version), "bigint", notNull: true);
}

// A district's figures on one day, as its facts stood at Version: what a city or province sums instead of reading
// every fact under it. Id: "{jurisdiction}|{day}". Valid only while Version is the district's current one and Shape
// the monitoring table's current definitions; anything else is computed again.
public sealed class StandingAreaFigures
{
    public string Id { get; set; } = "";
    public string Jurisdiction { get; set; } = "";
    public DateOnly Day { get; set; }
    public long Version { get; set; }
    public string Shape { get; set; } = "";
    public long[] Measures { get; set; } = [];           // MonitoringTableEndpoint.MeasureColumns, in order
    public Guid[] Inspections { get; set; } = [];        // the inspections of the 12-month window (a joint one may span districts)
    public AlertCount[] Alerts { get; set; } = [];       // alert facts by type and department
    public DemeritCount[] Demerits { get; set; } = [];   // demerit facts by points (the threshold is the reader's)
    public DateTimeOffset ComputedAt { get; set; }       // when these were computed: how far behind they are once stale

    public const string Table = "mt_doc_standingareafigures";

    public static void ConfigureMarten(DocumentMapping mapping)
    {
        mapping.DuplicateField(nameof(Jurisdiction), "varchar", notNull: true);
        mapping.DuplicateField(nameof(Day), "date", notNull: true);
        mapping.DuplicateField(nameof(Version), "bigint", notNull: true);
        mapping.DuplicateField(nameof(Shape), "varchar", notNull: true);
    }
}

public sealed record AlertCount(string Label, string? Department, int Count);

public sealed record DemeritCount(int Points, int Count);

// What a prefix's districts add up to on a day. FiguresAsOf: null when every district's figures match its facts as
// projected; else when the oldest of the stale figures summed was computed.
public sealed record AreaSums(long[] Measures, long Inspections, IReadOnlyList<AlertCount> Alerts,
    IReadOnlyList<(string Jurisdiction, DemeritCount Demerits)> Demerits, DateTimeOffset? FiguresAsOf);

// How far behind its facts a read may take a district's stored figures (Zero: not at all), who brings up to date
// those it takes (null: nobody; the next read past MaxAge computes them), and the clock their age is read on.
public sealed record Staleness(TimeSpan MaxAge, AreaFiguresRefresher? Refresher, TimeProvider Clock)
{
    public static readonly Staleness None = new(TimeSpan.Zero, null, TimeProvider.System);
}

// The monitoring table and the alert counts of a jurisdiction, believed now, from figures kept per district and day:
// a read sums the stored rows of its districts whose version is current and computes (then stores) only the missing
// or stale districts, with the same SQL as the reference grouped by district. A past day is stored the same way (a
// district's figures on a day change only when its facts do); today's are keyed by today, so midnight (expiries,
// 12-month windows) needs no event. "As recorded by an instant" reads the facts themselves.
//
// Under writes nearly every district is stale by the next read, and computing them in the read made a city wait about a
// second and the nation about five (docs/performance-log.md, the eighteenth stop). So a read may take a stale
// district's figures while they are younger than Staleness.MaxAge, says how old (AreaSums.FiguresAsOf), and leaves the
// district to the refresher; older or missing figures are still computed in the read.
public static class AreaSummaries
{
    private static readonly JsonSerializerOptions Wire = new(JsonSerializerDefaults.Web);

    public static StoreOptions ConfigureAreaSummaries(this StoreOptions opts)
    {
        opts.Schema.For<StandingAreaVersion>();
        opts.Schema.For<StandingAreaFigures>();
        opts.Storage.ExtendedSchemaObjects.Add(new Weasel.Postgresql.Sequence(
            new Weasel.Postgresql.PostgresqlObjectName(opts.DatabaseSchemaName, StandingAreaVersion.Sequence, Weasel.Postgresql.SchemaUtils.IdentifierUsage.General)));
        return opts;
    }

    // In the projection's batch transaction: the districts whose facts the batch changed get new version numbers.
    public static void Touch(IDocumentOperations operations, string[] jurisdictions)
    {
        if (jurisdictions.Length == 0) return;
        operations.QueueSqlCommand($"""
            insert into {StandingAreaVersion.Table} (id, data, mt_dotnet_type, version)
            select j, jsonb_build_object('id', j), '{typeof(StandingAreaVersion).FullName}', nextval('{StandingAreaVersion.Sequence}')
            from unnest(?::varchar[]) j
            on conflict (id) do update set version = excluded.version, mt_last_modified = now()
            """, (object)jurisdictions);
    }

    public static async Task<AreaSums> ReadAsync(NpgsqlDataSource db, string prefix, DateOnly day, Staleness staleness, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            var (seeded, rows, behind) = await ReadOnceAsync(db, prefix, day, staleness.MaxAge, staleness.Clock.GetUtcNow(), ct);
            if (seeded)
            {
                if (behind.Count > 0) staleness.Refresher?.Refresh(day, behind.Select(r => r.Jurisdiction));
                return Sum(rows, behind.Count == 0 ? null : behind.Min(r => r.ComputedAt));
            }
            if (attempt == 2) throw new InvalidOperationException("the districts' versions could not be seeded");
            await SeedAsync(db, ct);
        }
    }

    // One snapshot (repeatable read): the current versions, the stored figures of the day, and the districts without
    // usable figures computed from the facts as they stand in that same snapshot. Stored after, outside it. Behind:
    // the stale figures taken (also in Rows).
    private static async Task<(bool Seeded, List<StandingAreaFigures> Rows, List<StandingAreaFigures> Behind)> ReadOnceAsync(NpgsqlDataSource db,
        string prefix, DateOnly day, TimeSpan maxAge, DateTimeOffset snapshot, CancellationToken ct)
    {
        var rows = new List<StandingAreaFigures>();
        var behind = new List<StandingAreaFigures>();
        var missing = new Dictionary<string, long>();
        var seeded = false;
        var oldest = snapshot - maxAge;   // snapshot: taken before the transaction the figures are computed in
        await using (var connection = await db.OpenConnectionAsync(ct))
        await using (var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct))
        {
            await using (var command = new NpgsqlCommand($"""
                select v.id, v.version, f.version, f.data from {StandingAreaVersion.Table} v
                {StoredOnDay}
                where v.id = '{StandingAreaVersion.Seeded}' or ({(prefix.Length == 0 ? "true" : "v.id >= @prefix and v.id < @prefixEnd")} and v.id <> '{StandingAreaVersion.Seeded}')
                """, connection, transaction))
            {
                AddDay(command, day);
                AddPrefix(command, prefix);
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    var id = reader.GetString(0);
                    if (id == StandingAreaVersion.Seeded) { seeded = true; continue; }
                    var version = reader.GetInt64(1);
                    var stored = reader.IsDBNull(3) ? null : Stored(reader.GetString(3));
                    if (stored is not null && reader.GetInt64(2) == version) rows.Add(stored);
                    else if (stored is not null && maxAge > TimeSpan.Zero && stored.ComputedAt >= oldest) { rows.Add(stored); behind.Add(stored); }
                    else missing[id] = version;
                }
            }
            if (!seeded) return (false, rows, behind);
            if (missing.Count > 0)
            {
                var computed = await ComputeAsync(connection, transaction, missing, day, snapshot, ct);
                await transaction.CommitAsync(ct);
                await StoreAsync(db, computed, ct);
                rows.AddRange(computed);
            }
            else await transaction.CommitAsync(ct);
        }
        return (true, rows, behind);
    }

    // The refresher's work: the named districts' figures on the day computed from their facts in one snapshot, and
    // stored; those a read has brought up to date meanwhile are left. Districts null: every district whose figures were
    // stored for the day or the day before (the districts somebody reads), so that they stay current under writes and
    // roll over to the new day at midnight without a reader waiting. Several nodes: one does it at a time (the others
    // find the lock taken and leave it). The districts computed. Snapshot: taken before the transaction they are computed in.
    public static async Task<int> RefreshAsync(NpgsqlDataSource db, DateOnly day, IReadOnlyCollection<string>? districts, DateTimeOffset snapshot,
        CancellationToken ct)
    {
        List<StandingAreaFigures> computed;
        await using (var connection = await db.OpenConnectionAsync(ct))
        await using (var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct))
        {
            // It never waits long for a lock (a rebuild's swap): it gives way and comes back, rather than queue others behind it.
            await using (var patient = new NpgsqlCommand("set local lock_timeout = '200ms'", connection, transaction))
                await patient.ExecuteNonQueryAsync(ct);
            await using (var locked = new NpgsqlCommand($"select pg_try_advisory_xact_lock({RefreshLock})", connection, transaction))
                if (!(bool)(await locked.ExecuteScalarAsync(ct))!) return 0;
            var versions = new Dictionary<string, long>();
            var which = districts is null
                ? $"exists (select 1 from {StandingAreaFigures.Table} r where r.jurisdiction = v.id and r.day >= @dayBefore and r.shape = @shape)"
                : "v.id = any(@districts)";
            await using (var command = new NpgsqlCommand($"""
                select v.id, v.version from {StandingAreaVersion.Table} v
                {StoredOnDay} and f.version = v.version
                where v.id <> '{StandingAreaVersion.Seeded}' and {which} and f.id is null
                """, connection, transaction))
            {
                if (districts is null) command.Parameters.AddWithValue("dayBefore", day.AddDays(-1));
                else command.Parameters.AddWithValue("districts", districts.ToArray());
                AddDay(command, day);
                await using var reader = await command.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct)) versions[reader.GetString(0)] = reader.GetInt64(1);
            }
            if (versions.Count == 0) return 0;
            computed = await ComputeAsync(connection, transaction, versions, day, snapshot, ct);
            await transaction.CommitAsync(ct);
        }
        await StoreAsync(db, computed, ct);
        return computed.Count;
    }

    // One refresher at a time over the whole database (a transaction-scoped advisory lock; the key is arbitrary).
    private const long RefreshLock = 0x43524152454146; // "CRAREAF"

    private static async Task<List<StandingAreaFigures>> ComputeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        Dictionary<string, long> versions, DateOnly day, DateTimeOffset computedAt, CancellationToken ct)
    {
        var areas = versions.Keys.ToArray();
        var figures = areas.ToDictionary(a => a, a => new StandingAreaFigures
        {
            Id = $"{a}|{DayText(day)}", Jurisdiction = a, Day = day, Version = versions[a], Shape = MonitoringTableEndpoint.Shape,
            Measures = new long[MonitoringTableEndpoint.MeasureColumns.Count], ComputedAt = computedAt,
        });
        var inForce = StandingSql.InForceNamed("", null);

        var sql = $"with facts as (select jurisdiction, institution_id, kind, fact, label, status, value, valid_from, subject from {StandingSql.Table} "
                  + $"where fact = any(@facts) and jurisdiction = any(@areas) and {inForce}) "
                  + $"select jurisdiction, {string.Join(", ", MonitoringTableEndpoint.MeasureColumns)}, "
                  + "coalesce(array_agg(distinct subject) filter (where fact = 'inspection' and valid_from > @windowStart), '{}') from facts group by jurisdiction";
        await using (var command = Command(connection, transaction, sql, areas, day))
        {
            command.Parameters.AddWithValue("facts", MonitoringTableEndpoint.MeasureFacts.ToArray());
            command.Parameters.AddWithValue("windowStart", day.AddYears(-1));
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var f = figures[reader.GetString(0)];
                for (var i = 0; i < f.Measures.Length; i++) f.Measures[i] = Convert.ToInt64(reader.GetValue(i + 1), System.Globalization.CultureInfo.InvariantCulture);
                f.Inspections = reader.GetFieldValue<Guid[]>(f.Measures.Length + 1);
            }
        }

        await using (var command = Command(connection, transaction, $"select jurisdiction, label, department, count(*) from {StandingSql.Table} "
                                                                   + $"where fact = '{Facts.Alert}' and jurisdiction = any(@areas) and {inForce} and label is not null group by 1, 2, 3", areas, day))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            var alerts = new List<(string, AlertCount)>();
            while (await reader.ReadAsync(ct))
                alerts.Add((reader.GetString(0), new AlertCount(reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), (int)reader.GetInt64(3))));
            foreach (var g in alerts.GroupBy(a => a.Item1)) figures[g.Key].Alerts = g.Select(a => a.Item2).ToArray();
        }

        await using (var command = Command(connection, transaction, $"select jurisdiction, value, count(*) from {StandingSql.Table} "
                                                                   + $"where fact = '{Facts.Demerit}' and jurisdiction = any(@areas) and {inForce} group by 1, 2", areas, day))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            var demerits = new List<(string, DemeritCount)>();
            while (await reader.ReadAsync(ct)) demerits.Add((reader.GetString(0), new DemeritCount(reader.GetInt32(1), (int)reader.GetInt64(2))));
            foreach (var g in demerits.GroupBy(d => d.Item1)) figures[g.Key].Demerits = g.Select(d => d.Item2).ToArray();
        }
        return figures.Values.ToList();
    }

    // A cache write: a row never replaces one of a later version (a read and the refresher may compute the same district
    // at once), and a row whose version is no longer current is only ever taken as stale. The district's rows of
    // earlier versions (other days) go with it, so stored figures do not pile up.
    private static async Task StoreAsync(NpgsqlDataSource db, List<StandingAreaFigures> figures, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"""
            with stored as (
                insert into {StandingAreaFigures.Table} (id, data, mt_dotnet_type, jurisdiction, day, version, shape)
                select d->>'id', d, '{typeof(StandingAreaFigures).FullName}', d->>'jurisdiction', (d->>'day')::date, (d->>'version')::bigint, d->>'shape'
                from jsonb_array_elements(@rows::jsonb) d
                on conflict (id) do update set data = excluded.data, version = excluded.version, shape = excluded.shape, mt_last_modified = now()
                    where {StandingAreaFigures.Table}.version <= excluded.version
                returning jurisdiction, version)
            delete from {StandingAreaFigures.Table} f using stored s where f.jurisdiction = s.jurisdiction and f.version < s.version
            """);
        command.Parameters.AddWithValue("rows", NpgsqlDbType.Jsonb, JsonSerializer.Serialize(figures, Wire));
        await command.ExecuteNonQueryAsync(ct);
    }

    // Once per database whose facts were projected before versions were kept: every district with facts gets one.
    private static async Task SeedAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var command = db.CreateCommand($"""
            insert into {StandingAreaVersion.Table} (id, data, mt_dotnet_type, version)
            select j, jsonb_build_object('id', j), '{typeof(StandingAreaVersion).FullName}', nextval('{StandingAreaVersion.Sequence}')
            from (select distinct jurisdiction j from {StandingSql.Table} union all select '{StandingAreaVersion.Seeded}') a
            on conflict (id) do nothing
            """);
        await command.ExecuteNonQueryAsync(ct);
    }

    // Stored figures that no longer read (written by hand, or by a former shape of this class) are computed again.
    private static StandingAreaFigures? Stored(string json)
    {
        try { return JsonSerializer.Deserialize<StandingAreaFigures>(json, Wire); }
        catch (JsonException) { return null; }
    }

    private static AreaSums Sum(List<StandingAreaFigures> rows, DateTimeOffset? figuresAsOf)
    {
        var measures = new long[MonitoringTableEndpoint.MeasureColumns.Count];
        foreach (var row in rows)
            for (var i = 0; i < measures.Length; i++) measures[i] += row.Measures[i];
        var inspections = rows.SelectMany(r => r.Inspections).Distinct().LongCount();
        var alerts = rows.SelectMany(r => r.Alerts).GroupBy(a => (a.Label, a.Department)).Select(g => new AlertCount(g.Key.Label, g.Key.Department, g.Sum(a => a.Count))).ToList();
        var demerits = rows.SelectMany(r => r.Demerits.Select(d => (r.Jurisdiction, d))).ToList();
        return new AreaSums(measures, inspections, alerts, demerits, figuresAsOf);
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, string[] areas, DateOnly day)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddWithValue("areas", areas);
        command.Parameters.AddWithValue("day", day);
        return command;
    }

    // A district's stored figures (f) of the day under the current definitions, joined to its version row (v).
    private static readonly string StoredOnDay = $"left join {StandingAreaFigures.Table} f on f.id = v.id || '|' || @dayText and f.shape = @shape";

    private static void AddDay(NpgsqlCommand command, DateOnly day)
    {
        command.Parameters.AddWithValue("dayText", DayText(day));
        command.Parameters.AddWithValue("shape", MonitoringTableEndpoint.Shape);
    }

    private static void AddPrefix(NpgsqlCommand command, string prefix)
    {
        if (prefix.Length == 0) return;
        command.Parameters.AddWithValue("prefix", prefix);
        command.Parameters.AddWithValue("prefixEnd", StandingSql.PrefixEnd(prefix));
    }

    private static string DayText(DateOnly day) => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
