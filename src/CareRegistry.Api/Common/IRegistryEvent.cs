namespace CareRegistry.Common;

// Every event carries the date it takes effect in the world (from the document); the moment it was recorded is
// Marten's event timestamp. Together they are the registry's two clocks. Describe() is the one-line summary that
// histories show to people.
public interface IRegistryEvent
{
    DateOnly EffectiveOn { get; }

    string Describe();
}

// An event that belongs on the timelines of these institutions (its own stream may be a permit, an inspection or
// an agreement): the institution timeline projection files it under each of them.
public interface IConcernsInstitutions
{
    IReadOnlyList<Guid> ConcernedInstitutions { get; }
}
