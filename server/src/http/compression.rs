//! Compression of dynamic answers (app HTML, server-function JSON). Static files under `/pkg/`
//! are compressed at build time (`cargo leptos build --precompress`) and served as they are
//! by `ServeDir`; this layer never touches a response that already has a `Content-Encoding`,
//! so those are not compressed twice. Visitor pages are compressed once in the visitor cache.

use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::compression::{CompressionLayer, CompressionLevel};

/// Answers smaller than this go out as they are: compressing them saves less than it costs.
pub const MIN_SIZE: u16 = 1024;

/// Brotli or gzip, whichever the client prefers, for answers of at least [`MIN_SIZE`] bytes
/// (or of unknown length, like streamed HTML) that are not images, event streams or gRPC.
/// Level 4: most of the size win at a small fraction of the CPU of the best levels, which
/// matters for answers built per request.
pub fn layer() -> CompressionLayer<impl Predicate> {
    let predicate = SizeAbove::new(MIN_SIZE)
        .and(NotForContentType::GRPC)
        .and(NotForContentType::IMAGES)
        .and(NotForContentType::SSE);
    CompressionLayer::new()
        .br(true)
        .gzip(true)
        .quality(CompressionLevel::Precise(4))
        .compress_when(predicate)
}
