using CareRegistry.Common;

namespace CareRegistry.Partnerships;

public record PartnershipView(Guid Id, string Kind, IReadOnlyList<Guid> PartyIds, IReadOnlyList<string> Services, DateOnly ValidFrom,
    DateOnly ValidTo, DateOnly? TerminatedOn, string? TerminationReason, string Status, long Version, DateOnly AsOf)
{
    public static PartnershipView From(Partnership p, DateOnly day) => new(p.Id, Json.Wire(p.Kind), p.PartyIds, p.Services.Select(Json.Wire).ToList(),
        p.ValidFrom, p.ValidToOn(day), p.TerminatedOn is { } t && t <= day ? t : null, p.TerminatedOn is { } t2 && t2 <= day ? p.TerminationReason : null,
        p.StatusOn(day), p.Version, day);
}
