using CareRegistry.Localization;
using CareRegistry.Access;
using CareRegistry.Common;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Attributes;
using Wolverine.Http;

namespace CareRegistry.Institutions;

// Many registrations in one command and one transaction (a bulk import: a district's community facilities, the
// demo's placeholders): each item by the same rules as POST /institutions, all recorded or none. A successor is
// registered on its own, since its predecessor needs its own check.
public record RegisterInstitutions(IReadOnlyList<RegisterInstitution>? Institutions)
{
    public const int MaxItems = 1000;

    public ProblemDetails Validate(DateOnly? today = null)
    {
        var v = new Validation();
        if (Institutions is not { Count: > 0 and <= MaxItems }) return v.Add("institutions", L.T("must hold 1 to {0} institutions", MaxItems)).ToProblem();
        var seen = new HashSet<string>();
        for (var i = 0; i < Institutions.Count; i++)
        {
            var item = Institutions[i];
            if (item is null) { v.Add($"institutions[{i}]", L.T("is required")); continue; }
            v.Include($"institutions[{i}]", item.Fields(today));
            if (item.PredecessorId is not null) v.Add($"institutions[{i}].predecessorId", L.T("a successor is registered on its own (POST /institutions)"));
            if (item.Uscc is { } uscc && Uscc.Problem(uscc) is null && !seen.Add(Uscc.Normalize(uscc)))
                v.Add($"institutions[{i}].uscc", L.T("USCC {0} appears twice in the batch", Uscc.Normalize(uscc)));
        }
        return v.Answer();
    }
}

public record InstitutionsRegistered(IReadOnlyList<Guid> Ids, IReadOnlyList<string> Warnings);

public static class RegisterInstitutionsEndpoint
{
    // The caller must cover every division the batch registers in.
    [WolverineBefore]
    public static AccessSubject Concerns(RegisterInstitutions command) =>
        (command.Institutions ?? []).Where(i => i?.Jurisdiction is not null).Select(i => i.Jurisdiction!).Distinct()
        .Aggregate(AccessSubject.Nothing, (s, code) => s.Within(code, L.T("division {0}", code)));

    // One advisory lock per USCC (as POST /institutions takes), in one statement, then one query for taken USCCs.
    public static async Task<ProblemDetails> ValidateAsync(RegisterInstitutions command, IDocumentSession session, TimeProvider clock, CancellationToken ct)
    {
        if (command.Validate(clock.Today()) is var invalid && invalid != WolverineContinue.NoProblems) return invalid;
        var usccs = command.Institutions!.Select(i => Uscc.Normalize(i.Uscc!)).ToArray();
        await session.BeginTransactionAsync(ct);
        await using (var lockAll = session.Connection!.CreateCommand())
        {
            lockAll.CommandText = "select count(pg_advisory_xact_lock($1, hashtext(u))) from unnest($2::text[]) u";
            lockAll.Parameters.AddWithValue(0x55534343);
            lockAll.Parameters.AddWithValue(usccs);
            await lockAll.ExecuteScalarAsync(ct);
        }
        var taken = await session.Query<Institution>().Where(x => usccs.Contains(x.Uscc)).Select(x => x.Uscc).ToListAsync(ct);
        return taken.Count > 0
            ? Problems.Conflict(L.T("{0} USCC(s) already registered, e.g. {1}; nothing was registered", taken.Count, taken[0]))
            : WolverineContinue.NoProblems;
    }

    [WolverinePost("/api/institutions/batch"), Tags("Institutions")]
    [ProducesResponseType<InstitutionsRegistered>(200)]
    public static InstitutionsRegistered Post(RegisterInstitutions command, IDocumentSession session, TimeProvider clock)
    {
        var ids = new List<Guid>();
        var warnings = new List<string>();
        foreach (var c in command.Institutions!)
        {
            var id = Guid.CreateVersion7();
            var registered = new InstitutionRegistered(
                id, c.Name!.Trim(), c.LatinName?.Trim(), Uscc.Normalize(c.Uscc!), c.Kind!.Value, c.MedicalSubtype, c.Grade, c.Ownership!.Value,
                c.Jurisdiction!, c.Address!.Trim(), c.Beds!.ToBeds(), c.Operator?.Trim(), null, c.EstablishedOn ?? clock.Today(),
                c.Location?.ToCoordinates());
            session.Events.StartStream<Institution>(id, registered);
            ids.Add(id);
            if (Uscc.DivisionWarning(registered.Uscc, registered.Jurisdiction) is { } w) warnings.Add($"{registered.Uscc}: {w}");
        }
        return new InstitutionsRegistered(ids, warnings);
    }
}
