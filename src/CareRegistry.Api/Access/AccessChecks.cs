using JasperFx;
using JasperFx.CodeGeneration;
using JasperFx.CodeGeneration.Frames;
using Wolverine.Attributes;
using Wolverine.Http;
using Wolverine.Http.CodeGen;

namespace CareRegistry.Access;

// Weaves access control into every /api and /fhir chain when Wolverine builds it:
// - each route's row of AccessPolicy becomes endpoint metadata (a route without a row stops the service at start);
// - AccessGate.Admit is the chain's first step;
// - an endpoint's [WolverineBefore] Concerns method (it receives the typed command and what the endpoint loaded, and
//   returns an AccessSubject) is followed by AccessGate.Check. It must come before the endpoint's own validation, and
//   every command route must have one: both are checked here, so a new endpoint cannot skip the decision.
public sealed class AccessChecks : IHttpPolicy
{
    public const string ConcernsMethod = "Concerns";

    private static readonly ProblemDetailsContinuationPolicy Continuation = new();

    public void Apply(IReadOnlyList<HttpChain> chains, GenerationRules rules, IServiceContainer container)
    {
        foreach (var chain in chains)
        {
            var route = "/" + chain.RoutePattern?.RawText?.TrimStart('/');
            // /fhir is the same registry for health systems: the same bearer token and the same rows decide it.
            if (!route.StartsWith("/api/", StringComparison.Ordinal) && !route.StartsWith("/fhir/", StringComparison.Ordinal)) continue;
            foreach (var method in chain.HttpMethods)
                chain.Metadata.WithMetadata(AccessPolicy.For(method, route)
                    ?? throw new InvalidOperationException($"{method} {route} has no row in AccessPolicy"));
            var rule = AccessPolicy.For(chain.HttpMethods.First(), route)!;

            var concerns = chain.Middleware.OfType<MethodCall>()
                .FirstOrDefault(c => c.HandlerType == chain.Method.HandlerType && c.Method.Name == ConcernsMethod);
            if (concerns is null)
            {
                if (rule.NeedsSubject)
                    throw new InvalidOperationException($"{rule.Method} {route} must say what it concerns: add a [WolverineBefore] {ConcernsMethod} method returning AccessSubject");
            }
            else
            {
                var index = chain.Middleware.IndexOf(concerns);
                if (chain.Middleware.Take(index).OfType<MethodCall>().FirstOrDefault(c => c.HandlerType == chain.Method.HandlerType && c.Method.Name.StartsWith("Validate", StringComparison.Ordinal)) is { } early)
                    throw new InvalidOperationException($"{rule.Method} {route}: {early.Method.Name} runs before {ConcernsMethod}; declare {ConcernsMethod} first so access is decided before validation");
                var subject = concerns.Creates.FirstOrDefault(v => v.VariableType == typeof(AccessSubject))
                    ?? throw new InvalidOperationException($"{rule.Method} {route}: {ConcernsMethod} must return AccessSubject");
                var check = new MethodCall(typeof(AccessGate), nameof(AccessGate.Check));
                check.TrySetArgument(subject);
                InsertWithContinuation(chain, index + 1, check);
            }
            InsertWithContinuation(chain, 0, new MethodCall(typeof(AccessGate), nameof(AccessGate.Admit)));
        }
    }

    private static void InsertWithContinuation(HttpChain chain, int index, MethodCall call)
    {
        chain.Middleware.Insert(index, call);
        if (Continuation.TryFindContinuationHandler(chain, call, out var stop)) chain.Middleware.Insert(index + 1, stop!);
    }
}
