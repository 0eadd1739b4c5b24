using CareRegistry.Localization;
using CareRegistry.Access;
using CareRegistry.Common;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Attributes;
using Wolverine.Http;
using Wolverine.Marten;

namespace CareRegistry.Institutions;

public record RegisterInstitution(
    string? Name,
    string? LatinName,
    string? Uscc,
    InstitutionKind? Kind,
    MedicalSubtype? MedicalSubtype,
    int? Grade,
    Ownership? Ownership,
    string? Jurisdiction,
    string? Address,
    BedsInput? Beds,
    string? Operator,
    Guid? PredecessorId,
    DateOnly? EstablishedOn,
    LocationInput? Location = null)
{
    public static readonly MedicalSubtype[] Hospitals =
        [Common.MedicalSubtype.GeneralHospital, Common.MedicalSubtype.GeriatricHospital, Common.MedicalSubtype.RehabilitationHospital];

    // today: the China date, when known, so a founding date cannot lie in the future.
    public ProblemDetails Validate(DateOnly? today = null) => Fields(today).Answer();

    // The field errors, unrendered, so a batch can file them under its own item's path (RegisterInstitutions).
    internal Validation Fields(DateOnly? today)
    {
        var v = new Validation()
            .Require("name", Name, 200)
            .Optional("latinName", LatinName, 200)
            .Check("uscc", Common.Uscc.Problem(Uscc))
            .Defined("kind", Kind)
            .Defined("ownership", Ownership)
            .Check("jurisdiction", Division.DistrictProblem(Jurisdiction))
            .Require("address", Address, 500)
            .Optional("operator", Operator, 200)
            .Date("establishedOn", EstablishedOn, required: false);
        if (EstablishedOn > today) v.Add("establishedOn", L.T("must not be in the future (today is {0:yyyy-MM-dd})", today));
        BedsInput.Check(v, "beds", Beds);
        LocationInput.Check(v, "location", Location);

        if (Kind == InstitutionKind.Medical) v.Defined("medicalSubtype", MedicalSubtype);
        else if (MedicalSubtype is not null) v.Add("medicalSubtype", L.T("applies only to medical institutions"));

        if (Grade is not null)
        {
            if (MedicalSubtype is not { } subtype || !Hospitals.Contains(subtype)) v.Add("grade", L.T("applies only to hospitals"));
            else if (Grade is < 1 or > 3) v.Add("grade", L.T("must be 1, 2 or 3"));
        }
        return v;
    }
}

public static class RegisterInstitutionEndpoint
{
    // The predecessor the new institution continues, when it names one.
    public static async Task<Institution?> LoadAsync(RegisterInstitution command, IQuerySession session, CancellationToken ct) =>
        command.PredecessorId is { } id ? await session.LoadAsync<Institution>(id, ct) : null;

    // The caller registers inside their jurisdiction, and may continue only a predecessor that is inside it too:
    // a lineage would otherwise open another jurisdiction's history to them.
    [WolverineBefore]
    public static AccessSubject Concerns(RegisterInstitution command, Institution? predecessor)
    {
        var subject = AccessSubject.Division(command.Jurisdiction);
        return predecessor is null ? subject : subject.Within(predecessor.Jurisdiction, L.T("predecessor {0} in {1}", predecessor.Uscc, predecessor.Jurisdiction));
    }

    // 'USCC': the first key of the advisory locks below, so they share no key with anyone else's locks (Wolverine
    // takes single-key ones, a space of their own).
    private const int UsccLockClass = 0x55534343;

    // Rules that need the store: one institution per USCC, and a predecessor that exists.
    // The USCC is checked in the command's own transaction, after taking a transaction-scoped advisory lock on it:
    // racing registrations of one USCC queue there, and each sees the one that committed before it and is answered
    // 409 here — before Marten reserves sequence numbers, so a lost race leaves no tombstones and no failed
    // transaction behind. The unique index on the USCC still refuses anything that gets past this (a 409 as well).
    // The holder of a taken USCC is named only to a caller who may read it.
    public static async Task<ProblemDetails> ValidateAsync(RegisterInstitution command, Institution? predecessor, IDocumentSession session,
        HttpContext http, TimeProvider clock, CancellationToken ct)
    {
        if (command.Validate(clock.Today()) is var invalid && invalid != WolverineContinue.NoProblems) return invalid;
        var uscc = Uscc.Normalize(command.Uscc!);
        await session.BeginTransactionAsync(ct);
        await using (var lockUscc = session.Connection!.CreateCommand())
        {
            lockUscc.CommandText = "select pg_advisory_xact_lock($1, hashtext($2))";
            lockUscc.Parameters.AddWithValue(UsccLockClass);
            lockUscc.Parameters.AddWithValue(uscc);
            await lockUscc.ExecuteNonQueryAsync(ct);
        }
        var holder = await session.Query<Institution>().Where(x => x.Uscc == uscc).Select(x => new { x.Id, x.Jurisdiction }).ToListAsync(ct);
        if (holder.Count > 0)
            return Problems.Conflict(Caller.Of(http) is var caller && (caller.ReadsEverywhere || caller.Covers(holder[0].Jurisdiction))
                ? L.T("USCC {0} is already registered to institution {1}", uscc, holder[0].Id)
                : L.T("USCC {0} is already registered, to an institution outside your jurisdiction", uscc));
        if (command.PredecessorId is { } predecessorId && predecessor is null)
            return Problems.NotFound(L.T("predecessor institution {0} does not exist", predecessorId));
        return WolverineContinue.NoProblems;
    }

    [WolverinePost("/api/institutions"), Tags("Institutions")]
    public static (StreamCreated, IStartStream) Post(RegisterInstitution command, TimeProvider clock)
    {
        var id = Guid.CreateVersion7();
        var registered = new InstitutionRegistered(
            id, command.Name!.Trim(), command.LatinName?.Trim(), Uscc.Normalize(command.Uscc!), command.Kind!.Value,
            command.MedicalSubtype, command.Grade, command.Ownership!.Value, command.Jurisdiction!, command.Address!.Trim(),
            command.Beds!.ToBeds(), command.Operator?.Trim(), command.PredecessorId, command.EstablishedOn ?? clock.Today(),
            command.Location?.ToCoordinates());
        var warning = Uscc.DivisionWarning(registered.Uscc, registered.Jurisdiction);
        return (new StreamCreated(id, 1, $"/api/institutions/{id}", warning is null ? null : [warning]), MartenOps.StartStream<Institution>(id, registered));
    }
}
