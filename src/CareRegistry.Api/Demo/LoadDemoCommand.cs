using JasperFx.CommandLine;

namespace CareRegistry.Demo;

public class LoadDemoInput
{
    [Description("Base URL of a running registry")]
    public string UrlFlag { get; set; } = "http://127.0.0.1:5080";
}

[Description("Loads the demo institutions from the source documents into an empty registry, through its HTTP API", Name = "load-demo")]
public class LoadDemoCommand : JasperFxAsyncCommand<LoadDemoInput>
{
    public override async Task<bool> Execute(LoadDemoInput input)
    {
        var key = Environment.GetEnvironmentVariable("Auth__SigningKey")
                  ?? throw new InvalidOperationException("load-demo signs its requests with the development key: set Auth__SigningKey (ops/up does)");
        using var http = new HttpClient { BaseAddress = new Uri(input.UrlFlag), Timeout = TimeSpan.FromSeconds(30) };
        await new DemoLoader(http, Console.Out, new Access.DevTokens(key, Environment.GetEnvironmentVariable("Auth__Issuer") ?? "careregistry-dev",
            Environment.GetEnvironmentVariable("Auth__Audience") ?? "careregistry")).LoadAsync();
        return true;
    }
}
