using JasperFx;
using JasperFx.CodeGeneration;
using Microsoft.AspNetCore.Routing;
using Wolverine.Http;

namespace CareRegistry.Common;

// HEAD on every GET route: the same chain runs (access, validation, the status and headers a GET would answer) and
// Kestrel sends no body for a HEAD. Routing reads the last HttpMethodMetadata of an endpoint, so adding GET+HEAD
// after Wolverine's own GET is enough; the OpenAPI document, built from each chain's own methods, stays GET only.
// AccessPolicy.For gives a HEAD the GET row.
public sealed class HeadLikeGet : IHttpPolicy
{
    public static readonly HttpMethodMetadata Methods = new(["GET", "HEAD"]);

    public void Apply(IReadOnlyList<HttpChain> chains, GenerationRules rules, IServiceContainer container)
    {
        foreach (var chain in chains.Where(c => c.HttpMethods.SequenceEqual(["GET"])))
            chain.Metadata.WithMetadata(Methods);
    }
}
