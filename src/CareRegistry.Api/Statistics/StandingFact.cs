using System.Globalization;
using System.Text.Json.Serialization;
using Marten.Schema;
using Weasel.Postgresql.Tables;

namespace CareRegistry.Statistics;

// One fact about one institution over an interval of both clocks: true in the world from ValidFrom until ValidTo
// (exclusive; null: still), and believed by the registry from RecordedFrom until RecordedTo (null: still). Lists,
// the monitoring table and alerts are SQL over these rows, so "as of a date, as recorded by an instant" is a
// range condition on indexed columns, never a replay of events.
public sealed class StandingFact
{
    // Absent values are left out of the JSON: an institution's standing holds every live fact, and most are sparse.
    private const JsonIgnoreCondition WhenNull = JsonIgnoreCondition.WhenWritingNull;

    // Given, or (IdIsImplied) the one StandingProjection.IdOf names the fact by, worked out when first asked for.
    public Guid Id
    {
        get => field == Guid.Empty && IdIsImplied ? field = StandingProjection.IdOf(this) : field;
        set { field = value; IdIsImplied = false; }
    }

    // Set by LiveFacts for a fact read without its id, and by StandingProjection.Reconcile for a fact it opens: a
    // standing reads and rewrites every live fact on every event, and working out each one's MD5 twice for that was a
    // sixteenth of a command's CPU; only a fact that stops being believed needs its id, and one that is written out
    // with its standing needs none.
    [JsonIgnore]
    internal bool IdIsImplied { get; set; }

    public Guid InstitutionId { get; set; }
    // What the fact says (Identity), each member forgetting the value kept of it when set.
    public string Jurisdiction { get; set { field = value; _identity = null; } } = "";
    public string Kind { get; set { field = value; _identity = null; } } = "";  // the institution's kind
    public string Fact { get; set { field = value; _identity = null; } } = "";  // see Facts
    [JsonIgnore(Condition = WhenNull)]
    public string? Label { get; set { field = value; _identity = null; } }  // permit type, bed purpose, severity, alert type, integrated model…
    [JsonIgnore(Condition = WhenNull)]
    public string? Status { get; set { field = value; _identity = null; } }  // a permit's status
    [JsonIgnore(Condition = WhenNull)]
    public string? Department { get; set { field = value; _identity = null; } }  // the department the fact belongs to (an alert: the one that must act)
    [JsonIgnore(Condition = WhenNull)]
    public Guid? Subject { get; set { field = value; _identity = null; } }  // the permit, finding, inspection or partnership
    [JsonIgnore(Condition = WhenNull)]
    public Guid? Reference { get; set { field = value; _identity = null; } }  // the inspection of a finding
    public DateOnly ValidFrom { get; set { field = value; _identity = null; } }
    [JsonIgnore(Condition = WhenNull)]
    public DateOnly? ValidTo { get; set { field = value; _identity = null; } }
    [JsonIgnore(Condition = WhenNull)]
    public DateOnly? DueOn { get; set { field = value; _identity = null; } }  // an expiry or deadline the fact is about
    public int Value { get; set { field = value; _identity = null; } }  // beds, points, grade
    public DateTimeOffset RecordedFrom { get; set; }
    [JsonIgnore(Condition = WhenNull)]
    public DateTimeOffset? RecordedTo { get; set; }

    // The columns Marten duplicates out of the document, in one list: ConfigureMarten declares them, and the two paths
    // that write rows themselves (StandingProjection.Write, StandingRebuild.CopyAsync) write exactly these.
    public sealed record Column(string Member, string Name, string Type, bool NotNull, Func<StandingFact, object?> Value)
    {
        // The member's name in the serialized document (camel case, Program.cs).
        public string JsonName => char.ToLowerInvariant(Member[0]) + Member[1..];
    }

    public static readonly Column[] Columns =
    [
        new(nameof(InstitutionId), "institution_id", "uuid", true, f => f.InstitutionId),
        new(nameof(Jurisdiction), "jurisdiction", "varchar", true, f => f.Jurisdiction),
        new(nameof(Kind), "kind", "varchar", true, f => f.Kind),
        new(nameof(Fact), "fact", "varchar", true, f => f.Fact),
        new(nameof(Label), "label", "varchar", false, f => f.Label),
        new(nameof(Status), "status", "varchar", false, f => f.Status),
        new(nameof(Department), "department", "varchar", false, f => f.Department),
        new(nameof(ValidFrom), "valid_from", "date", true, f => f.ValidFrom),
        new(nameof(ValidTo), "valid_to", "date", false, f => f.ValidTo),
        new(nameof(RecordedFrom), "recorded_from", "timestamptz", true, f => f.RecordedFrom.ToUniversalTime()),
        new(nameof(RecordedTo), "recorded_to", "timestamptz", false, f => f.RecordedTo?.ToUniversalTime()),
        new(nameof(Value), "value", "integer", true, f => f.Value),
        new(nameof(Subject), "subject", "uuid", false, f => f.Subject),
        // A deadline as a column, so the work queues order and pick by it from an index (it was read from every row's
        // JSON). Added to a database that has rows: Marten's migration fills it from the JSON's dueOn.
        new(nameof(DueOn), "due_on", "date", false, f => f.DueOn),
    ];

    // Every read filters on these columns; the JSON body is read only for the rows a list returns. These indexes serve
    // all reads, where Marten's Duplicate would add one per column, paid by every projected change: one kind of fact
    // in a jurisdiction on a day — the facts believed now in a partial index that covers what the monitoring table
    // and the search filters read (so they are index-only scans), every version of them for "as recorded by" reads.
    public static void ConfigureMarten(DocumentMapping mapping)
    {
        // Nothing reads Marten's informational columns of a fact (its .NET type, version and modification time), and
        // they were a quarter of each row: 62 of about 228 bytes, over 3 million rows at 50,000 institutions.
        mapping.Metadata.DotNetType.Enabled = false;
        mapping.Metadata.Version.Enabled = false;
        mapping.Metadata.LastModified.Enabled = false;
        foreach (var column in Columns)
            if (mapping.DuplicateField(column.Member, column.Type, column.NotNull).ColumnName != column.Name)
                throw new InvalidOperationException($"StandingFact.{column.Member}: Marten names its column otherwise than {column.Name}");
        mapping.Indexes.Add(new IndexDefinition("ix_standingfact_current")
        {
            Columns = ["fact", "jurisdiction", "valid_from"],
            // due_on: a deadline read beside the fact without the row. (The work queues, which ranked alerts by it here,
            // now read the two alert indexes below; dropping it would rebuild this index on every database.)
            IncludeColumns = ["valid_to", "institution_id", "kind", "label", "status", "department", "value", "subject", "due_on", "id"],
            Predicate = "recorded_to is null",
        });
        mapping.Indexes.Add(new IndexDefinition("ix_standingfact_recorded") { Columns = ["fact", "jurisdiction", "valid_from"] });
        // A page of alerts, ordered by id, walks the current alerts in id order and stops when the page is full,
        // reading the filters from the index: its cost is the page over the jurisdiction's share, not the jurisdiction's
        // size (sorting every matching alert grew with it: 0.8 s for a city at 50,000 institutions). Alerts only, so
        // the other facts' writes do not pay for it.
        mapping.Indexes.Add(new IndexDefinition("ix_standingfact_alert_id")
        {
            Columns = ["id"],
            IncludeColumns = ["jurisdiction", "valid_from", "valid_to", "label", "department"],
            Predicate = "recorded_to is null and fact = 'alert'",
        });
        // The work queues' first alerts of each type in force today (Alerts.FirstOfEachTypeAsync): the open-ended ones of a
        // type and department in due order, walked until the page is full, and those with an end, by department and end,
        // so that "ends after today" reads only the department's not yet ended (933 in force, 11,885 yet to start, 235,314
        // ended at 50,000 institutions). With the department after the key's type instead of in the index's payload, a
        // department's walk skips the others' alerts: Kunming's civil affairs read 18,000 entries for its 102 (4.8 ms), now
        // about 340 (0.5 ms). A reader without a department sorts each type's alerts of the division instead.
        mapping.Indexes.Add(new IndexDefinition("ix_standingfact_alert_open")
        {
            Columns = ["label", "department", "due_on", "id"],
            IncludeColumns = ["jurisdiction", "valid_from"],
            Predicate = "recorded_to is null and fact = 'alert' and valid_to is null",
        });
        mapping.Indexes.Add(new IndexDefinition("ix_standingfact_alert_ending")
        {
            Columns = ["department", "valid_to"],
            IncludeColumns = ["label", "due_on", "id", "jurisdiction", "valid_from"],
            Predicate = "recorded_to is null and fact = 'alert' and valid_to is not null",
        });
        // Findings by rectification deadline (the work queues' "due this week"): a week's findings of the whole country, not
        // every finding in force in the division. Only findings with a deadline, only the deadline and the division.
        mapping.Indexes.Add(new IndexDefinition("ix_standingfact_finding_due")
        {
            Columns = ["due_on"],
            IncludeColumns = ["jurisdiction"],
            Predicate = "recorded_to is null and fact = 'finding' and due_on is not null",
        });
        // Demerit points at or over a threshold in force on a day (demeritAtLeast, the demerit-threshold alert): the
        // intervals that hold the day, over the threshold, in the division, found together. A key of the value alone read
        // every interval over the threshold, of every day and place (56,109 entries for Kunming at 50,000 institutions,
        // 24-35 ms warm, 279 ms cold, for none in force). GiST over the period, with the value and the place (btree_gist).
        mapping.Indexes.Add(new IndexDefinition("ix_standingfact_demerit_during")
        {
            Method = IndexMethod.gist,
            Columns = [StandingSql.DemeritPeriod(""), "value", "jurisdiction"],
            Predicate = "recorded_to is null and fact = 'demerit'",
        });
        // Institutions without a partnership (hasPartnership=false) are the city's institutions "not in" the set of those
        // with one: that set read from these few rows, not from the covering index over every fact (Kunming at 50,000
        // institutions: 12,089 intervals, 17.8 → 9.1 ms for the statement).
        mapping.Indexes.Add(new IndexDefinition("ix_standingfact_partnered")
        {
            Columns = ["jurisdiction"],
            IncludeColumns = ["valid_from", "valid_to", "institution_id"],
            Predicate = "recorded_to is null and fact = 'partnered'",
        });
        // A district's inspections in id order (GET /api/inspections?jurisdiction=<district>, Inspections/GetInspection.cs):
        // one fact per inspected institution, so a page of 51 inspections reads a few hundred entries. 24 MB at 50,000
        // institutions (495,000 inspection facts).
        mapping.Indexes.Add(new IndexDefinition("ix_standingfact_inspection_place")
        {
            Columns = ["jurisdiction", "subject"],
            IncludeColumns = ["valid_from"],
            Predicate = "recorded_to is null and fact = 'inspection'",
        });
        // Permits by type and status, and by department (permitType, department, the work queues' pending
        // applications): only those permits of the jurisdiction, instead of every permit of it. Permits only.
        mapping.Indexes.Add(new IndexDefinition("ix_standingfact_permit_type")
        {
            Columns = ["label", "status", "jurisdiction"],
            IncludeColumns = ["valid_from", "valid_to", "institution_id"],
            Predicate = "recorded_to is null and fact = 'permit'",
        });
        mapping.Indexes.Add(new IndexDefinition("ix_standingfact_permit_department")
        {
            Columns = ["department", "jurisdiction"],
            IncludeColumns = ["valid_from", "valid_to", "institution_id"],
            Predicate = "recorded_to is null and fact = 'permit'",
        });
    }

    // What the fact says, as text: the middle of the text StandingProjection.IdOf names it by (which writes it as UTF-8
    // itself), in the invariant culture, so a process in any culture names a fact alike. Computed, never stored.
    [JsonIgnore]
    public string Key => string.Create(CultureInfo.InvariantCulture,
        $"{Fact}|{Label}|{Status}|{Department}|{Subject}|{Reference}|{ValidFrom}|{ValidTo}|{DueOn}|{Value}|{Jurisdiction}|{Kind}");

    // What Key says, as a value: the fact without its row (id, institution, recorded interval).
    // Made once and kept (Of keeps the value it was made from): Reconcile compares every live fact of a standing after
    // each of its events, and making the value again each time hashed its six texts again (a rebuild's CPU: "The
    // twenty-fifth stop" in docs/performance-log.md). Setting a member it is made of forgets it.
    [JsonIgnore]
    public Same Identity => _identity ??= new(Fact, Label, Status, Department, Subject, Reference, ValidFrom, ValidTo, DueOn, Value, Jurisdiction, Kind);

    private Same? _identity;

    // Equal when Key's texts are equal: a missing text reads as an empty one there, so here too. Its hash is worked out
    // once, when it is made: a derived fact is kept with its section and goes into Reconcile's set on every event.
    public readonly record struct Same(string Fact, string? Label, string? Status, string? Department, Guid? Subject, Guid? Reference,
        DateOnly ValidFrom, DateOnly? ValidTo, DateOnly? DueOn, int Value, string Jurisdiction, string Kind)
    {
        private readonly int _hash = HashCode.Combine(HashCode.Combine(Fact, Label ?? "", Status ?? "", Department ?? "", Subject, Reference),
            HashCode.Combine(ValidFrom, ValidTo, DueOn, Value, Jurisdiction, Kind));

        public bool Equals(Same other) =>
            _hash == other._hash && Fact == other.Fact && (Label ?? "") == (other.Label ?? "") && (Status ?? "") == (other.Status ?? "") && (Department ?? "") == (other.Department ?? "")
            && Subject == other.Subject && Reference == other.Reference && ValidFrom == other.ValidFrom && ValidTo == other.ValidTo && DueOn == other.DueOn
            && Value == other.Value && Jurisdiction == other.Jurisdiction && Kind == other.Kind;

        public override int GetHashCode() => _hash;
    }

    public static StandingFact Of(Guid institution, Same f)
    {
        var fact = new StandingFact
        {
            InstitutionId = institution, Jurisdiction = f.Jurisdiction, Kind = f.Kind, Fact = f.Fact, Label = f.Label, Status = f.Status,
            Department = f.Department, Subject = f.Subject, Reference = f.Reference, ValidFrom = f.ValidFrom, ValidTo = f.ValidTo, DueOn = f.DueOn, Value = f.Value,
        };
        fact._identity = f;
        return fact;
    }
}

public static class Facts
{
    public const string Registered = "registered";       // operating: established until closed; Label kind, Value grade
    public const string Beds = "beds";                   // Label purpose, Value beds
    public const string Permit = "permit";               // Label type, Status, Department, Subject permit
    public const string Integrated = "integrated";       // Label model
    public const string CarePermit = "care-permit";      // an elderly-care permit (approval or filing) in force: what makes a 养老机构
    public const string InternalClinic = "internal-clinic";
    public const string MedicalLicence = "medical-licence";  // a medical-practice licence in force (a care home's 护理院 or hospital branch)
    public const string CarePartnered = "care-partnered";    // at least one active care–medical agreement (either side)
    public const string Designation = "designation";     // Label programme, Value level (0 national, 1 provincial, 2 city); pilot permits included
    public const string Rating = "rating";               // Label scheme, Value level, Status hospital class (a, b, c)
    public const string Residents = "residents";         // Value residents as last reported
    public const string Service = "service";             // Label the service offered
    public const string Staff = "staff";                 // Label doctors / nurses / care-workers / certified-care-workers, Value headcount
    public const string ReferralPartnered = "referral-partnered";  // at least one active two-way referral agreement
    public const string Designated = "insurance-designated";
    public const string Partnered = "partnered";         // at least one active agreement
    public const string Inspection = "inspection";       // from the day it opened; Subject inspection
    public const string Finding = "finding";             // from the day found until overturned; Label severity, DueOn the rectification deadline
    public const string Demerit = "demerit";             // Value points over the 12 months up to each day
    public const string Alert = "alert";                 // Label alert type
}

public static class AlertTypes
{
    public const string PermitExpiring = "permit-expiring";
    public const string PermitExpired = "permit-expired";
    public const string RectificationOverdue = "rectification-overdue";      // the institution is late: nothing reported by the deadline
    public const string VerificationPending = "verification-pending";        // a report waits for the inspecting department
    public const string DemeritThreshold = "demerit-threshold";
    public const string CareHomeWithoutPartnership = "care-home-without-partnership";
    public const string FilingCorrectionOverdue = "filing-correction-overdue";
    public const string IntegratedWithoutInsurance = "integrated-without-insurance";
    public const string PilotUnderstaffed = "pilot-understaffed";    // an integrated-care pilot without 2 doctors and 2 nurses reported

    public static readonly string[] All =
    [
        PermitExpiring, PermitExpired, RectificationOverdue, VerificationPending, DemeritThreshold, CareHomeWithoutPartnership,
        FilingCorrectionOverdue, IntegratedWithoutInsurance, PilotUnderstaffed,
    ];

    // How far ahead an expiry is announced.
    public const int ExpiringWithinDays = 60;
}
