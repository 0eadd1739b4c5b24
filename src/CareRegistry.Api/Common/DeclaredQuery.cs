using CareRegistry.Localization;
using System.Reflection;
using JasperFx;
using JasperFx.CodeGeneration;
using JasperFx.CodeGeneration.Frames;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using Wolverine.Http.CodeGen;

namespace CareRegistry.Common;

// The query parameters one read declares, in declaration order.
public sealed record DeclaredQuery(IReadOnlyList<string> Names)
{
    public bool Declares(string key) => Names.Contains(key, StringComparer.OrdinalIgnoreCase);
}

// Query parameters a read takes from the query string itself rather than as method parameters (FHIR's `_type`,
// `_count`, a repeatable `_lastUpdated`): declared on the endpoint so that the allow-list below includes them.
[AttributeUsage(AttributeTargets.Method)]
public sealed class ReadsQueryAttribute(params string[] names) : Attribute
{
    public IReadOnlyList<string> Names { get; } = names;
}

// Reads say what they read: a query parameter a read does not declare (a typo, or asOf where the read has no such
// clock) is a 400 naming it, not silently ignored. When Wolverine builds a GET chain, the parameters Wolverine binds
// from the query string — simple-typed parameters of the endpoint method and of the chain's middleware methods
// (Concerns) that no route value binds — become the read's allow-list; the check runs after access is decided.
public sealed class DeclaredQueryPolicy : IHttpPolicy
{
    private static readonly ProblemDetailsContinuationPolicy Continuation = new();

    public void Apply(IReadOnlyList<HttpChain> chains, GenerationRules rules, IServiceContainer container)
    {
        foreach (var chain in chains.Where(c => c.HttpMethods.Contains("GET")))
        {
            var route = (chain.RoutePattern?.Parameters.Select(p => p.Name) ?? []).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var names = new[] { chain.Method }.Concat(chain.Middleware.OfType<MethodCall>())
                .SelectMany(call => call.Method.GetParameters())
                .Where(p => p.Name is { } name && !route.Contains(name) && IsQueryValue(p))
                .Select(p => p.GetCustomAttribute<FromQueryAttribute>()?.Name ?? p.Name!)
                .Concat(chain.Method.Method.GetCustomAttribute<ReadsQueryAttribute>()?.Names ?? [])
                .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            chain.Metadata.WithMetadata(new DeclaredQuery(names));

            var check = new MethodCall(typeof(DeclaredQueryPolicy), nameof(Check));
            chain.Middleware.Add(check);
            if (Continuation.TryFindContinuationHandler(chain, check, out var stop)) chain.Middleware.Add(stop!);
        }
    }

    public static ProblemDetails Check(HttpContext http)
    {
        if (http.GetEndpoint()?.Metadata.GetMetadata<DeclaredQuery>() is not { } declared) return WolverineContinue.NoProblems;
        var unknown = http.Request.Query.Keys.Where(key => !declared.Declares(key)).ToList();
        if (unknown.Count == 0) return WolverineContinue.NoProblems;
        var takes = declared.Names.Count == 0 ? L.T("is not a parameter of this read: this read takes no query parameters")
            : L.T("is not a parameter of this read: this read takes {0}", string.Join(", ", declared.Names));
        var v = new Validation();
        foreach (var key in unknown.Take(10))
            v.Add(key.Length == 0 ? "(empty)" : key.Length > 100 ? key[..100] + "…" : key, takes);
        return v.ToProblem();
    }

    // What Wolverine binds from the query string: strings, numbers, flags, enums, dates and ids (and arrays of them),
    // unless the parameter says it comes from elsewhere.
    private static bool IsQueryValue(ParameterInfo parameter)
    {
        if (parameter.GetCustomAttributes().Any(a => a is FromHeaderAttribute or FromServicesAttribute or FromBodyAttribute or FromRouteAttribute or FromFormAttribute))
            return false;
        var type = parameter.ParameterType.IsArray ? parameter.ParameterType.GetElementType()! : parameter.ParameterType;
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type == typeof(string) || type.IsPrimitive || type.IsEnum || type == typeof(decimal) || type == typeof(Guid)
               || type == typeof(DateOnly) || type == typeof(TimeOnly) || type == typeof(DateTime) || type == typeof(DateTimeOffset);
    }
}
