using CareRegistry.Common;
using Marten;
using JasperFx.Events;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace CareRegistry.Jurisdictions;

// What the three commands on a jurisdiction's stream share: the stream locked for the write (it starts with the
// first rule recorded), If-Match against its version, and the answer naming the version just written.
public static class JurisdictionCommand
{
    public static Task<IEventStream<Jurisdiction>> LoadAsync(string code, IDocumentSession session, CancellationToken ct) =>
        session.Events.FetchForExclusiveWriting<Jurisdiction>(Jurisdiction.StreamIdFor(code), ct);

    public static ProblemDetails CheckIfMatch(IEventStream<Jurisdiction> stream, HttpContext http) =>
        Concurrency.CheckIfMatch(http, stream.CurrentVersion ?? 0);

    // After the append, CurrentVersion is the version of the event just appended.
    public static CommandAccepted Accepted(IEventStream<Jurisdiction> stream) => new(stream.Id, stream.CurrentVersion ?? 0);
}
