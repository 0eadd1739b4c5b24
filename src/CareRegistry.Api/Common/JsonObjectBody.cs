using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace CareRegistry.Common;

// Every command body is a JSON object. A body of null, an array or a bare value would reach the endpoint as no
// command at all, so it is refused here with the same problem shape as any other unreadable body.
public sealed class JsonObjectBody(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, IProblemDetailsService problems)
    {
        if (context.Request.Method == "POST" && context.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>() is not null
            && context.Request.Path.StartsWithSegments("/api"))
        {
            context.Request.EnableBuffering();
            var first = -1;
            var buffer = new byte[1];
            while (await context.Request.Body.ReadAsync(buffer, context.RequestAborted) == 1)
                if (buffer[0] is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0xEF or 0xBB or 0xBF)) { first = buffer[0]; break; }
            context.Request.Body.Position = 0;
            if (first != '{')
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                await problems.WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails = new HttpValidationProblemDetails(new Dictionary<string, string[]> { ["body"] = ["must be a JSON object"] })
                    {
                        Status = StatusCodes.Status400BadRequest, Title = "The request is invalid", Detail = "The body must be a JSON object.",
                    },
                });
                return;
            }
        }
        await next(context);
    }
}
