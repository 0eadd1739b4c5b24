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
        using var http = new HttpClient { BaseAddress = new Uri(input.UrlFlag), Timeout = TimeSpan.FromSeconds(30) };
        await new DemoLoader(http, Console.Out).LoadAsync();
        return true;
    }
}
