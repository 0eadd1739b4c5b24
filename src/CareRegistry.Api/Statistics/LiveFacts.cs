using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace CareRegistry.Statistics;

// An institution's live facts as its standing document stores them: one positional array per fact, without what the
// document already says. The facts kept whole (every name, the institution's id in each, and an id MD5 made of the
// rest) were half of the document's JSON, and their random ids were what compression could not shrink: the standings
// were 366 MB at 1.17 million events, this form makes them about 28 % smaller.
//
//   [fact, label, status, department, subject, reference, validFrom, validTo, dueOn, value, jurisdiction, kind,
//    recordedFrom, id?, recordedTo?]
//
// The institution is the standing's own (InstitutionStanding.OnDeserialized puts it back). The id is left out when it
// is the one StandingProjection.IdOf names the fact by (in the invariant culture; a process in another culture once
// named facts in its own, and those ids are written out and read back as given); recordedTo is written only when set
// (a live fact never has it). Documents written before keep each fact as a StandingFact object, and are read as they
// are.
public sealed class LiveFacts : JsonConverter<List<StandingFact>>
{
    private const string Day = "yyyy-MM-dd";

    public override List<StandingFact> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) return [];
        if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("the live facts are an array");
        var facts = new List<StandingFact>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                facts.Add(JsonSerializer.Deserialize<StandingFact>(ref reader, options) ?? throw new JsonException("a live fact is null"));
                continue;
            }
            if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("a live fact is an object or an array");
            var fact = new StandingFact
            {
                Fact = Text(ref reader) ?? "", Label = Text(ref reader), Status = Text(ref reader), Department = Text(ref reader),
                Subject = Id(ref reader), Reference = Id(ref reader), ValidFrom = Date(ref reader) ?? throw new JsonException("a live fact without validFrom"),
                ValidTo = Date(ref reader), DueOn = Date(ref reader), Value = Number(ref reader), Jurisdiction = Text(ref reader) ?? "",
                Kind = Text(ref reader) ?? "", RecordedFrom = Instant(ref reader) ?? throw new JsonException("a live fact without recordedFrom"),
            };
            if (Next(ref reader))
            {
                fact.Id = reader.TokenType == JsonTokenType.Null ? Guid.Empty : reader.GetGuid();
                if (Next(ref reader))
                {
                    fact.RecordedTo = reader.TokenType == JsonTokenType.Null ? null : reader.GetDateTimeOffset();
                    if (Next(ref reader)) throw new JsonException("a live fact has more than 15 values");
                }
            }
            facts.Add(fact);
        }
        return facts;
    }

    public override void Write(Utf8JsonWriter writer, List<StandingFact> value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var f in value)
        {
            writer.WriteStartArray();
            writer.WriteStringValue(f.Fact);
            Text(writer, f.Label); Text(writer, f.Status); Text(writer, f.Department);
            Id(writer, f.Subject); Id(writer, f.Reference);
            Date(writer, f.ValidFrom); Date(writer, f.ValidTo); Date(writer, f.DueOn);
            writer.WriteNumberValue(f.Value);
            writer.WriteStringValue(f.Jurisdiction);
            writer.WriteStringValue(f.Kind);
            writer.WriteStringValue(f.RecordedFrom);
            var id = f.IdIsImplied || f.Id == StandingProjection.IdOf(f) ? (Guid?)null : f.Id;
            if (id is not null || f.RecordedTo is not null) Id(writer, id);
            if (f.RecordedTo is { } to) writer.WriteStringValue(to);
            writer.WriteEndArray();
        }
        writer.WriteEndArray();
    }

    // The standing's own institution, and ids to recompute when asked for, for facts read from the compact form.
    internal static void Restore(InstitutionStanding standing)
    {
        var institution = standing.Institution?.Id ?? standing.Id;
        foreach (var f in standing.Live)
        {
            if (f.InstitutionId == Guid.Empty) f.InstitutionId = institution;
            if (f.Id == Guid.Empty) f.IdIsImplied = true;
        }
    }

    // Moves to the array's next value: false at its end.
    private static bool Next(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType != JsonTokenType.EndArray : throw new JsonException("a live fact ends early");

    private static void Expect(ref Utf8JsonReader reader)
    {
        if (!Next(ref reader)) throw new JsonException("a live fact has fewer than 13 values");
    }

    private static string? Text(ref Utf8JsonReader reader)
    {
        Expect(ref reader);
        return reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
    }

    private static Guid? Id(ref Utf8JsonReader reader)
    {
        Expect(ref reader);
        return reader.TokenType == JsonTokenType.Null ? null : reader.GetGuid();
    }

    private static DateOnly? Date(ref Utf8JsonReader reader)
    {
        Expect(ref reader);
        return reader.TokenType == JsonTokenType.Null ? null : DateOnly.ParseExact(reader.GetString()!, Day, CultureInfo.InvariantCulture);
    }

    private static int Number(ref Utf8JsonReader reader)
    {
        Expect(ref reader);
        return reader.GetInt32();
    }

    private static DateTimeOffset? Instant(ref Utf8JsonReader reader)
    {
        Expect(ref reader);
        return reader.TokenType == JsonTokenType.Null ? null : reader.GetDateTimeOffset();
    }

    private static void Text(Utf8JsonWriter writer, string? value)
    {
        if (value is null) writer.WriteNullValue(); else writer.WriteStringValue(value);
    }

    private static void Id(Utf8JsonWriter writer, Guid? value)
    {
        if (value is { } id) writer.WriteStringValue(id); else writer.WriteNullValue();
    }

    // Formatted on the stack: three dates of every live fact of every standing written, each a string before.
    private static void Date(Utf8JsonWriter writer, DateOnly? value)
    {
        Span<byte> text = stackalloc byte[10];
        if (value is not { } day) writer.WriteNullValue();
        else if (day.TryFormat(text, out var length, Day, CultureInfo.InvariantCulture)) writer.WriteStringValue(text[..length]);
        else writer.WriteStringValue(day.ToString(Day, CultureInfo.InvariantCulture));
    }
}
