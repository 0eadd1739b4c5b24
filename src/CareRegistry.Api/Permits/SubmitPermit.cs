using CareRegistry.Localization;
using System.Reflection;
using CareRegistry.Access;
using CareRegistry.Common;
using CareRegistry.Institutions;
using CareRegistry.Jurisdictions;
using Marten;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Attributes;
using Wolverine.Http;
using Wolverine.Marten;

namespace CareRegistry.Permits;

public record SubmitPermit(PermitType? Type, string? Number, DateOnly? EffectiveOn, DateOnly? ExpiresOn, string? Scope)
{
    public ProblemDetails Validate()
    {
        var v = PermitCommand.Start(EffectiveOn).Defined("type", Type).Optional("number", Number, 50).Optional("scope", Scope, 500)
            .Date("expiresOn", ExpiresOn, required: false);
        if (ExpiresOn <= EffectiveOn) v.Add("expiresOn", L.T("must be after effectiveOn"));
        return v.Answer();
    }

    // Kinds must fit the permit, and a designation needs a medical licence or internal clinic in force. Any kind may
    // hold a medical-practice licence: a care home can run a licensed hospital or nursing home inside.
    public ProblemDetails Check(PermitSubmission context)
    {
        var (institution, permits, _) = context;
        var on = EffectiveOn!.Value;
        var type = Type!.Value;
        if (institution.RefusesChangeOn(on) is { } refusal) return Problems.Conflict(refusal);
        var fits = type switch
        {
            PermitType.ElderlyCare => institution.Kind is not InstitutionKind.Medical || institution.Beds.ElderlyCare > 0,
            PermitType.InternalClinic => institution.Kind is not InstitutionKind.Medical,
            _ => true,
        };
        if (!fits)
            return Problems.Conflict(type switch
            {
                PermitType.ElderlyCare => L.T("an elderly-care permit needs an elderly-care institution or a medical institution with elderly-care beds"),
                _ => L.T("an internal clinic needs an elderly-care institution"),
            });
        if (type == PermitType.InsuranceDesignation
            && !permits.Any(p => p.Type is PermitType.MedicalPractice or PermitType.InternalClinic && p.IsInForceOn(on)))
            return Problems.Conflict(L.T("an insurance designation needs a medical-practice licence or internal clinic in force on {0:yyyy-MM-dd}", on));
        if (permits.FirstOrDefault(p => p.Type == type && p.StatusOn(on) is PermitStatus.Pending || p.Type == type && p.IsInForceOn(on)) is { } held)
            return Problems.Conflict(L.T("institution {0} already holds {1} ({2}) on {3:yyyy-MM-dd}", institution.Uscc, PermitCommand.Label(held), PermitCommand.StatusName(held.StatusOn(on)!.Value), on));
        return WolverineContinue.NoProblems;
    }

    // The regime in force on the effective date in the institution's jurisdiction decides the path; an application
    // dated before a change already recorded that converts pending applications is converted by it at once.
    public object[] Decide(Guid permitId, PermitSubmission context)
    {
        var (institution, _, regimes) = context;
        var type = Type!.Value;
        var (regime, basis) = regimes.Resolve(type, institution.Jurisdiction, EffectiveOn!.Value);
        var department = PermitTypes.DepartmentOf(type);
        if (regime == Regime.Filing)
            return [new PermitFiled(permitId, institution.Id, institution.Jurisdiction, type, department, Number?.Trim(), Scope?.Trim(), EffectiveOn!.Value, ExpiresOn, basis?.Basis)];
        var application = new PermitApplicationSubmitted(permitId, institution.Id, institution.Jurisdiction, type, department, Number?.Trim(), Scope?.Trim(),
            EffectiveOn!.Value, ExpiresOn, basis?.Basis);
        return PendingApplicationConversion.OnSubmission(Permit.Begin(application), regimes) is { } converted ? [application, converted] : [application];
    }
}

public record PermitSubmission(Institution Institution, IReadOnlyList<Permit> Permits, RegimeBook Regimes);

// 201 for a filing (in force now), 202 for an application (pending a decision), with the date a recorded regime change
// converts it to a filing, if one does.
public record PermitSubmitted(Guid Id, long Version, string Status, string Regime, DateOnly? ConvertedOn,
    [property: System.Text.Json.Serialization.JsonIgnore] string Location) : IHttpAware
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        builder.RemoveStatusCodeResponse(200);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status201Created, typeof(PermitSubmitted), ["application/json"]));
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status202Accepted, typeof(PermitSubmitted), ["application/json"]));
    }

    public void Apply(HttpContext context)
    {
        context.Response.StatusCode = Status == "pending" ? StatusCodes.Status202Accepted : StatusCodes.Status201Created;
        context.Response.Headers.Location = Location;
        context.Response.Headers.ETag = Concurrency.ETag(Version);
    }
}

public static class SubmitPermitEndpoint
{
    public static async Task<PermitSubmission?> LoadAsync(Guid id, IQuerySession session, CancellationToken ct)
    {
        var institution = await session.LoadAsync<Institution>(id, ct);
        if (institution is null) return null;
        var permits = await session.Query<Permit>().Where(p => p.InstitutionId == id).ToListAsync(ct);
        var levels = await session.LoadManyAsync<Jurisdiction>(ct, RegimeBook.StreamIdsFor(institution.Jurisdiction));
        return new PermitSubmission(institution, permits, new RegimeBook(levels));
    }

    // The department that owns the permit type decides, within the institution's jurisdiction.
    [WolverineBefore]
    public static AccessSubject Concerns(SubmitPermit command, PermitSubmission? context) =>
        AccessSubject.Institution(context?.Institution).Decided(command.Type is { } type && Enum.IsDefined(type) ? PermitTypes.DepartmentOf(type) : null);

    public static ProblemDetails Validate(SubmitPermit command) => command.Validate();

    public static ProblemDetails Before(Guid id, SubmitPermit command, PermitSubmission? context) =>
        context is null ? Problems.NotFound(L.T("no institution {0}", id)) : command.Check(context);

    [WolverinePost("/api/institutions/{id}/permits"), Tags("Permits")]
    public static (PermitSubmitted, IStartStream) Post(Guid id, SubmitPermit command, PermitSubmission context)
    {
        var permitId = Guid.CreateVersion7();
        var events = command.Decide(permitId, context);
        var (status, regime) = events[0] is PermitFiled ? ("active", "filing") : ("pending", "approval");
        var convertedOn = events.OfType<PendingApplicationConvertedToFiling>().FirstOrDefault()?.EffectiveOn;
        return (new PermitSubmitted(permitId, events.Length, status, regime, convertedOn, $"/api/institutions/{id}/permits/{permitId}"),
            MartenOps.StartStream<Permit>(permitId, events));
    }
}
