using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CareRegistry.Common;
using CareRegistry.Inspections;
using CareRegistry.Institutions;
using CareRegistry.Partnerships;
using CareRegistry.Permits;
using CareRegistry.Statistics;
using CareRegistry.Tests.Infrastructure;
using JasperFx.Events;
using Marten;

namespace CareRegistry.Tests.Statistics;

// The standing document keeps its live facts compactly (LiveFacts): read back they are the very facts, ids included,
// whatever culture wrote them, and documents written before (each fact a whole object) still read.
public class LiveFactsTests
{
    private static DateOnly D(int y, int m, int d) => new(y, m, d);

    // As Marten serializes documents here (Program.cs: enums as strings, camel case).
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    // A care home with a permit, an agreement and a finding, folded through the projection's own step, so its live
    // facts carry ids and recorded instants as the projection gives them.
    internal static async Task<InstitutionStanding> Folded()
    {
        var home = Guid.NewGuid();
        var permit = Guid.NewGuid();
        var agreement = Guid.NewGuid();
        var inspection = Guid.NewGuid();
        var standing = new InstitutionStanding { Id = home };
        var facts = new Dictionary<Guid, (StandingFact, bool)>();
        var sequence = 0;
        var at = new DateTimeOffset(2026, 12, 2, 18, 54, 45, TimeSpan.Zero).AddTicks(2632690);
        foreach (var (stream, data) in new (Guid, object)[]
                 {
                     (home, new InstitutionRegistered(home, "甲养老院", null, "52530111TE00000011", InstitutionKind.ElderlyCare, null, null, Ownership.Private,
                         "530111", "官渡区", new Beds(100, 0, 20, 0, 0), null, null, D(2015, 1, 1))),
                     (permit, new PermitFiled(permit, home, "530111", PermitType.ElderlyCare, PermitTypes.DepartmentOf(PermitType.ElderlyCare), null, null, D(2019, 1, 1), null, null)),
                     (agreement, new PartnershipSigned(agreement, PartnershipKind.CareMedical, [home, Guid.NewGuid()], [PartnershipService.EmergencyCare], D(2019, 1, 1), D(2020, 12, 31))),
                     (inspection, new InspectionOpened(inspection, InspectionKind.Routine, [home], [Department.CivilAffairs], ["张检查"], D(2024, 3, 1))),
                     (inspection, new FindingRecorded(inspection, Guid.NewGuid(), home, FindingCategory.FireSafety, Severity.Major, 4, "消防通道堵塞", D(2024, 4, 1), D(2024, 3, 1))),
                 })
        {
            sequence++;
            at = at.AddSeconds(1);
            await StandingProjection.StepAsync(null!, standing, new Event<object>(data) { StreamId = stream, Sequence = sequence, Version = sequence, Timestamp = at },
                facts, CancellationToken.None);
        }
        return standing;
    }

    // Every property of every fact, by reflection: a property StandingFact gains is compared too.
    private static List<string> Described(IEnumerable<StandingFact> facts) =>
        facts.Select(f => string.Join("|", typeof(StandingFact).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite).Select(p => $"{p.Name}={Format(p.GetValue(f))}"))).ToList();

    private static string Format(object? value) => value switch
    {
        null => "null",
        DateTimeOffset t => t.UtcTicks.ToString(CultureInfo.InvariantCulture),
        IFormattable x => x.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static InstitutionStanding RoundTrip(InstitutionStanding standing) =>
        JsonSerializer.Deserialize<InstitutionStanding>(JsonSerializer.Serialize(standing, Options), Options)!;

    [Fact]
    public async Task Live_facts_are_stored_as_arrays_without_the_institution_or_recomputable_ids_and_read_back_whole()
    {
        var standing = await Folded();
        Assert.NotEmpty(standing.Live);
        Assert.All(standing.Live, f => Assert.NotEqual(Guid.Empty, f.Id));

        var json = JsonNode.Parse(JsonSerializer.Serialize(standing, Options))!;
        var live = json["live"]!.AsArray();
        Assert.Equal(standing.Live.Count, live.Count);
        Assert.All(live, f => Assert.IsType<JsonArray>(f));
        // fact … recordedFrom: the id is the one IdOf gives, so it is left out.
        Assert.All(live, f => Assert.Equal(13, f!.AsArray().Count));
        Assert.DoesNotContain(standing.Id.ToString(), live.ToJsonString());

        Assert.Equal(Described(standing.Live), Described(RoundTrip(standing).Live));
    }

    [Fact]
    public async Task A_document_written_before_with_whole_fact_objects_still_reads()
    {
        var standing = await Folded();
        var old = JsonNode.Parse(JsonSerializer.Serialize(standing, Options))!.AsObject();
        old["live"] = JsonSerializer.SerializeToNode(standing.Live, Options);
        Assert.IsType<JsonObject>(old["live"]!.AsArray()[0]);

        var read = JsonSerializer.Deserialize<InstitutionStanding>(old.ToJsonString(), Options)!;
        Assert.Equal(Described(standing.Live), Described(read.Live));
        // And written again, compactly.
        Assert.Equal(Described(standing.Live), Described(RoundTrip(read).Live));
    }

    // A fact's id as stored rows and documents hold it: the MD5 of its text with days as the invariant culture writes
    // them. Spelled out here, not taken from the code, so that a change of the naming (which would orphan every stored
    // id) fails.
    private static Guid NamedBy(StandingFact f)
    {
        static string? Day(DateOnly? d) => d?.ToString("MM/dd/yyyy", CultureInfo.InvariantCulture);
        var text = string.Join("|", f.InstitutionId, f.Fact, f.Label, f.Status, f.Department, f.Subject, f.Reference, Day(f.ValidFrom), Day(f.ValidTo),
            Day(f.DueOn), f.Value.ToString(CultureInfo.InvariantCulture), f.Jurisdiction, f.Kind, f.RecordedFrom.UtcTicks.ToString(CultureInfo.InvariantCulture));
        return new Guid(MD5.HashData(Encoding.UTF8.GetBytes(text)));
    }

    // IdOf writes the text into a buffer on the stack, and into a larger pooled one for a longer text: both name a fact
    // by the same bytes, Chinese text and absent members included.
    [Theory]
    [InlineData(1)]
    [InlineData(400)]
    public void A_fact_of_any_length_is_named_by_its_text(int repeat)
    {
        var fact = new StandingFact
        {
            InstitutionId = Guid.NewGuid(), Jurisdiction = "530102", Kind = "elderly-care", Fact = Facts.Alert, Label = string.Concat(Enumerable.Repeat("整改逾期", repeat)),
            Department = "health", Subject = Guid.NewGuid(), ValidFrom = D(2019, 1, 1), DueOn = D(2019, 3, 31), Value = -2,
            RecordedFrom = new DateTimeOffset(2026, 12, 2, 18, 54, 45, TimeSpan.FromHours(8)).AddTicks(7),
        };
        Assert.Equal(NamedBy(fact), StandingProjection.IdOf(fact));
    }

    [Fact]
    public async Task A_fact_is_named_alike_in_any_culture_and_ids_named_otherwise_are_stored_and_read_back()
    {
        var culture = CultureInfo.CurrentCulture;
        try
        {
            // In en-US a day formats as 1/1/2019 (01/01/2019 in the invariant culture).
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("en-US");
            var standing = await Folded();
            Assert.All(standing.Live, f => Assert.Equal(NamedBy(f), f.Id));
            var json = JsonSerializer.Serialize(standing, Options);
            Assert.All(JsonNode.Parse(json)!["live"]!.AsArray(), f => Assert.Equal(13, f!.AsArray().Count));

            // Facts a process in another culture named by its own text before: their ids are written out and read back as given.
            foreach (var f in standing.Live) f.Id = Guid.NewGuid();
            json = JsonSerializer.Serialize(standing, Options);
            Assert.All(JsonNode.Parse(json)!["live"]!.AsArray(), f => Assert.Equal(14, f!.AsArray().Count));
            CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
            Assert.Equal(Described(standing.Live), Described(JsonSerializer.Deserialize<InstitutionStanding>(json, Options)!.Live));
        }
        finally
        {
            CultureInfo.CurrentCulture = culture;
        }
    }

    [Fact]
    public async Task A_standing_read_back_is_written_again_as_it_was_and_an_id_given_afterwards_is_kept()
    {
        var standing = await Folded();
        var json = JsonSerializer.Serialize(standing, Options);
        var read = JsonSerializer.Deserialize<InstitutionStanding>(json, Options)!;
        // Read without their ids and written back without them: the same document.
        Assert.Equal(json, JsonSerializer.Serialize(read, Options));

        // An id given to a fact read that way is its own from then on, written out and read back.
        var given = Guid.NewGuid();
        read.Live[0].Id = given;
        var again = JsonSerializer.Deserialize<InstitutionStanding>(JsonSerializer.Serialize(read, Options), Options)!;
        Assert.Equal(given, again.Live[0].Id);
        Assert.Equal(standing.Live.Skip(1).Select(f => f.Id), again.Live.Skip(1).Select(f => f.Id));
    }

    [Fact]
    public void Every_property_of_a_fact_survives_the_compact_form()
    {
        var fact = new StandingFact
        {
            Id = Guid.NewGuid(), InstitutionId = Guid.NewGuid(), Jurisdiction = "530111", Kind = "elderly-care", Fact = Facts.Alert, Label = AlertTypes.PermitExpiring,
            Status = "active", Department = "health", Subject = Guid.NewGuid(), Reference = Guid.NewGuid(), ValidFrom = D(2020, 1, 2), ValidTo = D(2021, 3, 4),
            DueOn = D(2021, 5, 6), Value = 7, RecordedFrom = DateTimeOffset.UtcNow, RecordedTo = DateTimeOffset.UtcNow.AddHours(1),
        };
        // Every settable property is given a value that is not its default, so a property the compact form forgets fails here.
        foreach (var p in typeof(StandingFact).GetProperties().Where(p => p.CanWrite))
            Assert.False(p.GetValue(fact) is null || Equals(p.GetValue(fact), p.PropertyType.IsValueType ? Activator.CreateInstance(p.PropertyType) : null) || Equals(p.GetValue(fact), ""),
                $"{p.Name} is not set in this test");
        var standing = new InstitutionStanding { Id = fact.InstitutionId, Live = [fact] };
        Assert.Equal(Described([fact]), Described(RoundTrip(standing).Live));
    }
}

// Through Marten itself: a stored standing loads with its live facts whole (Marten's serializer calls OnDeserialized).
public class LiveFactsStoreTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    [Fact]
    public async Task A_standing_stored_and_loaded_through_Marten_keeps_its_live_facts()
    {
        var standing = await LiveFactsTests.Folded();
        await using (var session = Fixture.Store.LightweightSession())
        {
            session.Store(standing);
            await session.SaveChangesAsync();
        }
        await using var query = Fixture.Store.QuerySession();
        var loaded = await query.LoadAsync<InstitutionStanding>(standing.Id);
        Assert.NotNull(loaded);
        Assert.Equal(standing.Live.Select(f => (f.Id, f.InstitutionId, f.Key, f.RecordedFrom.UtcTicks)),
            loaded.Live.Select(f => (f.Id, f.InstitutionId, f.Key, f.RecordedFrom.UtcTicks)));
    }
}
