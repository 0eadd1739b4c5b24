using System.Data.Common;
using Marten.Services;
using Weasel.Storage;

namespace CareRegistry.Common;

// Marten's System.Text.Json serializer, except that its asynchronous reads deserialize the column from memory. Marten
// reads documents and events asynchronously, and its serializer hands System.Text.Json the column as a stream
// (DeserializeAsync), which takes the resumable path: every record built through its constructor caches each argument
// and may suspend between them. Npgsql has the whole row in memory already (Marten never reads with SequentialAccess),
// so reading the column into a pooled buffer and deserializing that synchronously is the same answer without the
// resumable machinery (docs/performance-log.md, "The twenty-first stop": the share of the service's CPU it took).
// Writes and the synchronous reads are Marten's own. ISerializer takes its asynchronous reads from IStorageSerializer,
// so re-implementing that interface is enough.
public sealed class BufferedJsonSerializer : SystemTextJsonSerializer, IStorageSerializer
{
    ValueTask<T> IStorageSerializer.FromJsonAsync<T>(Stream stream, CancellationToken cancellationToken) =>
        ValueTask.FromResult(FromJson<T>(stream));

    ValueTask<T> IStorageSerializer.FromJsonAsync<T>(DbDataReader reader, int index, CancellationToken cancellationToken) =>
        ValueTask.FromResult(FromJson<T>(reader, index));

    ValueTask<object> IStorageSerializer.FromJsonAsync(Type type, Stream stream, CancellationToken cancellationToken) =>
        ValueTask.FromResult(FromJson(type, stream));

    ValueTask<object> IStorageSerializer.FromJsonAsync(Type type, DbDataReader reader, int index, CancellationToken cancellationToken) =>
        ValueTask.FromResult(FromJson(type, reader, index));
}
