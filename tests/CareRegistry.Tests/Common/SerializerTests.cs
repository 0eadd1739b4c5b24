using System.Text;
using CareRegistry.Common;
using CareRegistry.Statistics;
using CareRegistry.Tests.Infrastructure;
using CareRegistry.Tests.Statistics;
using Marten;

namespace CareRegistry.Tests.Common;

// The store reads documents and events through BufferedJsonSerializer, whose asynchronous reads must give what
// Marten's own reads give: a standing (records built through their constructors, the live facts' converter and the
// hook that restores them) read both ways is the same document.
public class SerializerTests(RegistryFixture fixture) : RegistryTest(fixture)
{
    [Fact]
    public async Task The_buffered_asynchronous_read_gives_what_the_synchronous_read_gives()
    {
        var serializer = ((StoreOptions)Fixture.Store.Options).Serializer();
        Assert.IsType<BufferedJsonSerializer>(serializer);

        var standing = await LiveFactsTests.Folded();
        var json = serializer.ToJson(standing);
        // As Npgsql hands Marten a jsonb column: its version byte, then the text.
        Stream Column() => new MemoryStream([1, .. Encoding.UTF8.GetBytes(json)]);

        var read = await serializer.FromJsonAsync<InstitutionStanding>(Column());
        var untyped = (InstitutionStanding)await serializer.FromJsonAsync(typeof(InstitutionStanding), Column());
        Assert.Equal(json, serializer.ToJson(serializer.FromJson<InstitutionStanding>(Column())));
        Assert.Equal(json, serializer.ToJson(read));
        Assert.Equal(json, serializer.ToJson(untyped));
        Assert.Equal(standing.Live.Select(f => f.Id), read.Live.Select(f => f.Id));
        Assert.NotEmpty(read.Inspections);
    }
}
