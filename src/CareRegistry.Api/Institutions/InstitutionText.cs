using System.Text;

namespace CareRegistry.Institutions;

// The text an institution search matches, shared by the Institution document's indexes and the search endpoint.
public static class InstitutionText
{
    // Name, Latin name and USCC in one text, so one ILIKE served by one pg_trgm index finds any substring of three
    // characters or more.
    public static string Searchable(string alias) =>
        $"(coalesce({alias}data ->> 'name', '') || ' ' || coalesce({alias}data ->> 'latinName', '') || ' ' || coalesce({alias}uscc::text, ''))";

    // Every pair of adjacent characters of a text. A two-character name search (福寿, 康宁) has no trigram to look up:
    // pg_trgm read its whole index for it (55,000 entries, 230 ms at 53,000 institutions). The pairs of the lowered
    // searchable text, in a GIN index, answer it. A text that contains a substring contains all its pairs, so the
    // pairs only ever narrow: strpos (ILIKE's equal) still decides.
    // COST: evaluating it per row is what the index saves, and so the planner does not walk the primary key in id
    // order computing it for every institution. PL/pgSQL, not SQL: PostgreSQL before 18 parses and plans a SQL
    // function's body again in every statement that calls it: every write of an institution, every two-character search.
    // A loop of plain expressions, not a query: a query in PL/pgSQL was planned again on every call too, and it made
    // the pairs of an institution's text in about 35 µs against about 10 (ANALYZE computes them for every row it samples,
    // which was 2.2 s of the institutions' 2.7 s; docs/performance-log.md, "The thirty-second stop"). A pair repeated in
    // the text comes twice: a GIN index keeps each key of a row once, and containment ignores repeats.
    public const string Bigrams = "careregistry_bigrams";

    public static string FunctionSql(string schema) => $$"""
        CREATE OR REPLACE FUNCTION {{schema}}.{{Bigrams}}(text text)
         RETURNS text[]
         LANGUAGE plpgsql
         IMMUTABLE PARALLEL SAFE STRICT COST 1000
        AS $function$
        declare
            pairs text[] := '{}';
        begin
            for i in 1 .. char_length(text) - 1 loop
                pairs := pairs || substr(text, i, 2);
            end loop;
            return pairs;
        end
        $function$;
        """;

    public static string BigramsOf(string alias) => $"{Bigrams}(lower({Searchable(alias)}))";

    // Whether the trigram index finds the candidates for Contains(q): q holds three letters or digits in a row (pg_trgm
    // takes its trigrams from runs of letters and digits, and for a fragment without one reads its whole index).
    public static bool Trigrams(string q)
    {
        var run = 0;
        foreach (var rune in q.Trim().EnumerateRunes())
        {
            run = Rune.IsLetterOrDigit(rune) ? run + 1 : 0;
            if (run == 3) return true;
        }
        return false;
    }

    // The condition for "q is a substring of the searchable text, ignoring case" (what ILIKE '%q%' answers: in a UTF-8
    // database ILIKE compares the lowered texts). Two characters: the pairs index and strpos, which the trigram index
    // cannot be picked for (a prepared statement's generic plan did pick it, and read all of it). Three or more: the
    // ILIKE alone, which the trigram index serves. With the pairs beside it the planner combined both indexes, and the
    // trigram index's recheck then computed the pairs of every candidate row: the console's search for 夕阳红 in Kunming
    // (1,634 candidates, 505 in the city) took 66 ms of PostgreSQL, 8.6 ms without the pairs (docs/performance-log.md,
    // the thirteenth stop). One: the ILIKE alone, read off the rows.
    public static (string Sql, object[] Values) Contains(string alias, string q)
    {
        var text = q.Trim();
        var characters = text.EnumerateRunes().Count();
        if (characters == 2)
            return ($"{BigramsOf(alias)} @> {Bigrams}(lower(?)) and strpos(lower({Searchable(alias)}), lower(?)) > 0", [text, text]);
        var pattern = "%" + text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
        return ($"{Searchable(alias)} ilike ?", [pattern]);
    }
}
