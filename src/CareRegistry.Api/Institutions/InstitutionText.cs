namespace CareRegistry.Institutions;

// The text an institution search matches, shared by the Institution document's pg_trgm index and the search endpoint.
public static class InstitutionText
{
    // Name, Latin name and USCC in one text, so one ILIKE served by one pg_trgm index finds any substring of three
    // characters or more (a shorter text has no trigram to look up, so it is read off the jurisdiction's rows).
    public static string Searchable(string alias) =>
        $"(coalesce({alias}data ->> 'name', '') || ' ' || coalesce({alias}data ->> 'latinName', '') || ' ' || coalesce({alias}uscc::text, ''))";
}
