using CareRegistry.Localization;
using CareRegistry.Access;
using CareRegistry.Common;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CareRegistry.Permits;

// What every command on an existing permit shares: an effective date, a pure check of the permit's state on that
// date (409 when the transition does not apply), and a pure decision returning the event.
public interface IPermitCommand
{
    DateOnly? EffectiveOn { get; }

    ProblemDetails Validate();

    ProblemDetails Check(Permit permit);

    object Decide(Permit permit);
}

public static class PermitCommand
{
    public static Validation Start(DateOnly? effectiveOn) => new Validation().Date("effectiveOn", effectiveOn);

    // The permit must belong to the institution in the route, and If-Match must name its version.
    public static ProblemDetails Guard(Guid institutionId, IPermitCommand command, Permit permit, HttpContext http) =>
        permit.InstitutionId != institutionId
            ? Problems.NotFound(L.T("institution {0} has no permit {1}", institutionId, permit.Id))
            : Concurrency.CheckIfMatch(http, permit.Version)
                .Then(() => command.EffectiveOn < permit.SubmittedOn
                    ? Problems.Conflict(L.T("{0} was submitted on {1:yyyy-MM-dd}, after {2:yyyy-MM-dd}", Label(permit), permit.SubmittedOn, command.EffectiveOn))
                    : WolverineContinue.NoProblems)
                .Then(() => command.Check(permit));

    // Refuses unless the permit's status on the effective date is one of the allowed ones.
    public static ProblemDetails RequireStatus(Permit permit, DateOnly on, Text transition, params PermitStatus[] allowed)
    {
        var status = permit.StatusOn(on);
        return status is { } s && allowed.Contains(s)
            ? WolverineContinue.NoProblems
            : Problems.Conflict(status is { } x
                ? L.T("cannot {0} {1}: it is {2} on {3:yyyy-MM-dd}", transition, Label(permit), StatusName(x), on)
                : L.T("cannot {0} {1}: it is not yet submitted on {2:yyyy-MM-dd}", transition, Label(permit), on));
    }

    public static ProblemDetails RequireFiling(Permit permit, Text transition) =>
        permit.Regime == Regime.Filing
            ? WolverineContinue.NoProblems
            : Problems.Conflict(L.T("cannot {0} {1}: it was obtained by approval, not by filing", transition, Label(permit)));

    // A permit's lifecycle is its department's decision, within the jurisdiction of its institution.
    public static AccessSubject Concerns(Permit permit) =>
        AccessSubject.Nothing.Within(permit.Jurisdiction, L.T("the institution of {0}, in {1}", Label(permit), permit.Jurisdiction)).Decided(permit.Department);

    // The permit as the departments name it: its type and regime (养老机构备案, 医疗机构执业许可证...) and its number.
    public static Text Label(Permit permit)
    {
        var number = permit.Number ?? permit.Id.ToString();
        return (permit.Type, permit.Regime) switch
        {
            (PermitType.ElderlyCare, Regime.Filing) => L.T("elderly-care filing {0}", number),
            (PermitType.ElderlyCare, _) => L.T("elderly-care permit {0}", number),
            (PermitType.MedicalPractice, Regime.Filing) => L.T("medical-practice filing {0}", number),
            (PermitType.MedicalPractice, _) => L.T("medical-practice permit {0}", number),
            (PermitType.InternalClinic, Regime.Filing) => L.T("internal-clinic filing {0}", number),
            (PermitType.InternalClinic, _) => L.T("internal-clinic permit {0}", number),
            (PermitType.InsuranceDesignation, Regime.Filing) => L.T("insurance-designation filing {0}", number),
            (PermitType.InsuranceDesignation, _) => L.T("insurance-designation permit {0}", number),
            (PermitType.IntegratedCarePilot, Regime.Filing) => L.T("integrated-care-pilot filing {0}", number),
            (PermitType.IntegratedCarePilot, _) => L.T("integrated-care-pilot permit {0}", number),
            _ => L.T("{0} permit {1}", Json.Wire(permit.Type), number),
        };
    }

    public static Text StatusName(PermitStatus status) => status switch
    {
        PermitStatus.Pending => L.T("pending"),
        PermitStatus.Refused => L.T("refused"),
        PermitStatus.Active => L.T("active"),
        PermitStatus.CorrectionRequested => L.T("correction-requested"),
        PermitStatus.Suspended => L.T("suspended"),
        PermitStatus.Expired => L.T("expired"),
        PermitStatus.Revoked => L.T("revoked"),
        PermitStatus.Cancelled => L.T("cancelled"),
        _ => L.T("{0}", Json.Wire(status)),
    };
}
