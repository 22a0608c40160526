//! Where uploaded files live: one interface ([`Storage`]) over `object_store`, with the local
//! disk under the project's data folder as the default and any S3-compatible service (AWS S3,
//! MinIO, R2, …) configured by environment variables (`config::AssetStorage`).
//!
//! Keys are `tenants/{tenant}/{asset}/…` (`app::model::original_key`): the tenant id is part
//! of every key and the asset id is a fresh UUID per upload, so a key never changes meaning.

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::stream::BoxStream;
use futures_util::StreamExt;
use object_store::path::Path as Key;
use object_store::{ObjectStore, PutPayload, WriteMultipart};
use tokio::io::AsyncReadExt;

/// Parts of at most this size are sent one at a time; a file is never held whole in memory.
const PART: usize = 5 * 1024 * 1024;

/// Settings for the S3-compatible backend (`SITEPILOT_S3_*`).
#[derive(Clone)]
pub struct S3Settings {
    pub bucket: String,
    /// `http://127.0.0.1:9000` for a local server; `None` is AWS itself.
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// Path-style addresses (`endpoint/bucket/key`), which MinIO and most local servers need.
    pub path_style: bool,
}

impl std::fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Settings")
            .field("bucket", &self.bucket)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("path_style", &self.path_style)
            .finish_non_exhaustive()
    }
}

/// Which backend stores the files.
#[derive(Clone, Debug)]
pub enum Backend {
    Local(std::path::PathBuf),
    S3(S3Settings),
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("object storage: {0}")]
    Store(#[from] object_store::Error),
    #[error("reading the uploaded file: {0}")]
    Io(#[from] std::io::Error),
}

/// The object store the server writes uploads to and serves them from.
#[derive(Clone)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
    /// `local` or `s3`, for logs and the benchmark.
    pub kind: &'static str,
}

/// A stored file on its way to a client.
pub struct Object {
    pub size: u64,
    pub stream: BoxStream<'static, Result<Bytes, object_store::Error>>,
}

impl Storage {
    pub fn open(backend: &Backend) -> Result<Self, StorageError> {
        match backend {
            Backend::Local(dir) => {
                std::fs::create_dir_all(dir)?;
                Ok(Self {
                    store: Arc::new(object_store::local::LocalFileSystem::new_with_prefix(dir)?),
                    kind: "local",
                })
            }
            Backend::S3(s) => {
                let mut b = object_store::aws::AmazonS3Builder::new()
                    .with_bucket_name(&s.bucket)
                    .with_region(&s.region)
                    .with_access_key_id(&s.access_key_id)
                    .with_secret_access_key(&s.secret_access_key)
                    .with_virtual_hosted_style_request(!s.path_style);
                if let Some(endpoint) = &s.endpoint {
                    b = b
                        .with_endpoint(endpoint)
                        .with_allow_http(endpoint.starts_with("http://"));
                }
                Ok(Self {
                    store: Arc::new(b.build()?),
                    kind: "s3",
                })
            }
        }
    }

    /// Copies a local file to `key`, one part at a time.
    pub async fn put_file(&self, key: &str, file: &Path) -> Result<u64, StorageError> {
        let key = Key::from(key);
        let mut f = tokio::fs::File::open(file).await?;
        let len = f.metadata().await?.len();
        if len <= PART as u64 {
            let mut buf = Vec::with_capacity(len as usize);
            f.read_to_end(&mut buf).await?;
            self.store.put(&key, PutPayload::from(buf)).await?;
            return Ok(len);
        }
        let upload = self.store.put_multipart(&key).await?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART);
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = f.read(&mut buf).await?;
            if n == 0 {
                break;
            }
            // At most two parts in flight: memory stays near 2 × PART whatever the file size.
            if let Err(e) = writer.wait_for_capacity(2).await {
                return Err(e.into());
            }
            writer.write(&buf[..n]);
        }
        writer.finish().await?;
        Ok(len)
    }

    /// Stores a small file already in memory (a variant).
    pub async fn put_bytes(&self, key: &str, bytes: Vec<u8>) -> Result<(), StorageError> {
        self.store
            .put(&Key::from(key), PutPayload::from(bytes))
            .await?;
        Ok(())
    }

    /// The whole object (variants job: originals are bounded by the plan's file cap).
    pub async fn get_bytes(&self, key: &str) -> Result<Option<Bytes>, StorageError> {
        match self.store.get(&Key::from(key)).await {
            Ok(r) => Ok(Some(r.bytes().await?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// A streamed read, `None` when the key holds nothing.
    pub async fn get(&self, key: &str) -> Result<Option<Object>, StorageError> {
        match self.store.get(&Key::from(key)).await {
            Ok(r) => Ok(Some(Object {
                size: r.meta.size,
                stream: r.into_stream().boxed(),
            })),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes `key`; a missing key is not an error.
    pub async fn delete(&self, key: &str) -> Result<(), StorageError> {
        match self.store.delete(&Key::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes every object under the folder `prefix` (`tenants/{tenant}`: whole path
    /// segments, so `tenants/ab` never touches `tenants/abc/…`); returns how many.
    pub async fn delete_prefix(&self, prefix: &str) -> Result<usize, StorageError> {
        let prefix = Key::from(prefix.trim_end_matches('/'));
        let mut listed = self.store.list(Some(&prefix));
        let mut n = 0;
        while let Some(meta) = listed.next().await {
            let meta = match meta {
                Ok(meta) => meta,
                Err(object_store::Error::NotFound { .. }) => continue,
                Err(e) => return Err(e.into()),
            };
            match self.store.delete(&meta.location).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => n += 1,
                Err(e) => return Err(e.into()),
            }
        }
        Ok(n)
    }

    /// Whether `key` holds an object.
    pub async fn exists(&self, key: &str) -> Result<bool, StorageError> {
        match self.store.head(&Key::from(key)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }
}
