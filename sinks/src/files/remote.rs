//! Object storage under the files sink: `s3://`, `gs://` and `az://`
//! through the `object_store` crate.
//!
//! A store has no rename, so a part is uploaded under its final name and
//! becomes visible only when complete: a small part in one PUT, a large one
//! as a multipart upload completed when the part is finished (S3, GCS and
//! Azure show neither an unfinished upload nor its parts). `_SUCCESS` is
//! put last, as on disk.

use std::collections::VecDeque;
use std::future::Future;
use std::io::{self, Write};
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use object_store::path::Path as Key;
use object_store::{
    BackoffConfig, MultipartUpload, ObjectStore, ObjectStoreExt, PutPayload, RetryConfig,
};

/// Bytes in each uploaded piece of a multipart upload (S3 takes 5 MiB and
/// up, but for the last piece); a part smaller than this is one PUT.
pub(super) const PIECE: usize = 8 << 20;
/// Pieces of one part in flight at once; the writer waits beyond that.
const IN_FLIGHT: usize = 2;

/// Options of ours in a store URL's query, beside the sink's own.
pub(crate) const OPTIONS: &str = "endpoint, region and the store's other settings";

/// Which store a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Amazon S3 or an S3-compatible store (`s3://`, `s3a://`).
    S3,
    /// Google Cloud Storage (`gs://`).
    Gcs,
    /// Azure Blob Storage (`az://`, `abfs://`, `abfss://`).
    Azure,
}

impl Scheme {
    /// The scheme of `url` (`s3://BUCKET/PREFIX`), if it is a store's.
    pub fn of(url: &str) -> Option<Result<Scheme, String>> {
        let (scheme, _) = url.split_once("://")?;
        Some(match scheme {
            "s3" | "s3a" => Ok(Scheme::S3),
            "gs" => Ok(Scheme::Gcs),
            "az" | "abfs" | "abfss" | "azure" => Ok(Scheme::Azure),
            _ => Err(format!(
                "`{scheme}://`: write a directory, s3://BUCKET/PREFIX, gs://BUCKET/PREFIX or az://CONTAINER/PREFIX"
            )),
        })
    }

    /// Whether `key` is one of this store's settings (object_store's
    /// names, such as `endpoint`, `region`, `allow_http`).
    pub fn knows(self, key: &str) -> bool {
        let key = key.to_ascii_lowercase();
        match self {
            Scheme::S3 => key.parse::<object_store::aws::AmazonS3ConfigKey>().is_ok(),
            Scheme::Gcs => key.parse::<object_store::gcp::GoogleConfigKey>().is_ok(),
            Scheme::Azure => key.parse::<object_store::azure::AzureConfigKey>().is_ok(),
        }
    }
}

/// A store URL and its settings, as the spec gave them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteConfig {
    /// `s3://BUCKET/PREFIX` (or `gs://`, `az://`).
    pub url: String,
    /// Settings from the query (`endpoint=...`), after the environment's.
    pub options: Vec<(String, String)>,
}

impl RemoteConfig {
    fn scheme(&self) -> Scheme {
        Scheme::of(&self.url)
            .and_then(Result::ok)
            .unwrap_or(Scheme::S3)
    }

    /// The bucket (or container) and the prefix under it.
    fn bucket_and_prefix(&self) -> (&str, &str) {
        let rest = self.url.split_once("://").map_or("", |(_, r)| r);
        let rest = rest.trim_end_matches('/');
        rest.split_once('/').unwrap_or((rest, ""))
    }

    /// The store, with credentials from the environment (`AWS_*`,
    /// `GOOGLE_*`, `AZURE_*`) and, for S3, the profile files, then the
    /// spec's settings; retries as `retry` says.
    fn build(&self, retry: RetryConfig) -> Result<Arc<dyn ObjectStore>, String> {
        let mut options = self.options.clone();
        let endpoint = options
            .iter()
            .find(|(k, _)| k.ends_with("endpoint") || k.ends_with("endpoint_url"))
            .map(|(_, v)| v.clone())
            .or_else(|| std::env::var("AWS_ENDPOINT_URL").ok())
            .or_else(|| std::env::var("AWS_ENDPOINT").ok());
        if endpoint.is_some_and(|e| e.starts_with("http://"))
            && !options.iter().any(|(k, _)| k.ends_with("allow_http"))
        {
            options.push(("allow_http".into(), "true".into()));
        }
        // The URL, retries and the spec's settings over a builder.
        macro_rules! configured {
            ($builder:expr) => {{
                let mut b = $builder.with_url(&self.url).with_retry(retry);
                for (k, v) in &options {
                    if let Ok(key) = k.to_ascii_lowercase().parse() {
                        b = b.with_config(key, v);
                    }
                }
                b.build().map(|s| Arc::new(s) as Arc<dyn ObjectStore>)
            }};
        }
        let built = match self.scheme() {
            Scheme::S3 => {
                // A profile's settings, then the environment's over them.
                let mut b = object_store::aws::AmazonS3Builder::new();
                for (k, v) in super::profile::settings().into_iter().chain(aws_env()) {
                    if let Ok(key) = k.parse() {
                        b = b.with_config(key, v);
                    }
                }
                configured!(b)
            }
            Scheme::Gcs => configured!(object_store::gcp::GoogleCloudStorageBuilder::from_env()),
            Scheme::Azure => configured!(object_store::azure::MicrosoftAzureBuilder::from_env()),
        };
        built.map_err(|e| format!("{}: {}", self.url, one_line(&e)))
    }
}

/// The `AWS_*` variables of the environment, as settings.
fn aws_env() -> Vec<(String, String)> {
    std::env::vars()
        .filter(|(k, _)| k.starts_with("AWS_"))
        .map(|(k, v)| (k.to_ascii_lowercase(), v))
        .collect()
}

/// An object store error on one line, its causes after it.
fn one_line(e: &object_store::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        let said = cause.to_string();
        if !text.contains(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        source = cause.source();
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An open object store, and the runtime its requests run on (the sink's
/// own thread does blocking work and waits for them).
pub(crate) struct Remote {
    store: Arc<dyn ObjectStore>,
    root: Key,
    url: String,
    runtime: Option<tokio::runtime::Runtime>,
}

impl std::fmt::Debug for Remote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Remote").field("url", &self.url).finish()
    }
}

impl Drop for Remote {
    /// Its runtime stops without waiting (dropping one on an async
    /// thread would panic); every part is finished or aborted before.
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// Runs `future` on `handle`'s runtime and waits for it on this thread.
fn wait<T: Send + 'static>(
    handle: &tokio::runtime::Handle,
    future: impl Future<Output = T> + Send + 'static,
) -> io::Result<T> {
    futures::executor::block_on(handle.spawn(future)).map_err(io::Error::other)
}

impl Remote {
    /// Opens the store and lists the prefix once, so an unreachable
    /// endpoint, a missing bucket or denied credentials stop the run
    /// before it starts.
    pub(crate) fn open(config: &RemoteConfig) -> Result<Remote, String> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("storesim-store")
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the store's runtime: {e}"))?;
        let (bucket, prefix) = config.bucket_and_prefix();
        if bucket.is_empty() {
            return Err(format!("{}: no bucket in the URL", config.url));
        }
        // A quick check: a few retries, a short timeout.
        let quick = RetryConfig {
            backoff: BackoffConfig {
                init_backoff: Duration::from_millis(100),
                max_backoff: Duration::from_secs(1),
                base: 2.0,
            },
            max_retries: 2,
            retry_timeout: Duration::from_secs(10),
        };
        let probe = config.build(quick)?;
        let root = Key::from(prefix);
        let listed = {
            let root = root.clone();
            wait(runtime.handle(), async move {
                probe.list_with_delimiter(Some(&root)).await
            })
            .map_err(|e| e.to_string())?
        };
        if let Err(e) = listed {
            return Err(refusal(&e, bucket, config));
        }
        Ok(Remote {
            store: config.build(RetryConfig::default())?,
            root,
            url: config.url.trim_end_matches('/').to_string(),
            runtime: Some(runtime),
        })
    }

    fn handle(&self) -> io::Result<&tokio::runtime::Handle> {
        self.runtime
            .as_ref()
            .map(|r| r.handle())
            .ok_or_else(|| io::Error::other("the store's runtime has stopped"))
    }

    /// The key of `relative` (`kind=scan/date=.../part-00000.parquet`).
    fn key(&self, relative: &str) -> Key {
        let mut key = self.root.clone();
        for part in relative.split('/').filter(|p| !p.is_empty()) {
            key = key.clone().join(part);
        }
        key
    }

    /// `s3://BUCKET/PREFIX/RELATIVE`, for messages.
    pub(crate) fn location(&self, relative: &str) -> String {
        format!("{}/{relative}", self.url)
    }

    /// The names directly under the prefix (`kind=scan`, `_SUCCESS`).
    pub(crate) fn top(&self) -> io::Result<Vec<String>> {
        let (store, root) = (self.store.clone(), self.root.clone());
        let listed = wait(self.handle()?, async move {
            store.list_with_delimiter(Some(&root)).await
        })?
        .map_err(|e| io::Error::other(one_line(&e)))?;
        let mut names: Vec<String> = listed
            .common_prefixes
            .iter()
            .chain(listed.objects.iter().map(|o| &o.location))
            .filter_map(|k| k.filename().map(str::to_string))
            .collect();
        names.sort();
        Ok(names)
    }

    /// Every object's key under `relative`, relative to the prefix.
    pub(crate) fn list(&self, relative: &str) -> io::Result<Vec<String>> {
        let (store, under) = (self.store.clone(), self.key(relative));
        let root = self.root.clone();
        let keys = wait(self.handle()?, async move {
            let mut keys = Vec::new();
            let mut listing = store.list(Some(&under));
            while let Some(meta) = listing.next().await {
                let meta = meta.map_err(|e| one_line(&e))?;
                let parts: Vec<String> = match meta.location.prefix_match(&root) {
                    Some(p) => p.map(|p| p.as_ref().to_string()).collect(),
                    None => continue,
                };
                keys.push(parts.join("/"));
            }
            Ok::<_, String>(keys)
        })?
        .map_err(io::Error::other)?;
        Ok(keys)
    }

    /// Deletes every object under `relative`.
    pub(crate) fn remove_all(&self, relative: &str) -> io::Result<()> {
        for key in self.list(relative)? {
            self.delete(&key)?;
        }
        Ok(())
    }

    /// Deletes one object.
    pub(crate) fn delete(&self, relative: &str) -> io::Result<()> {
        let (store, key) = (self.store.clone(), self.key(relative));
        wait(self.handle()?, async move { store.delete(&key).await })?
            .map_err(|e| io::Error::other(one_line(&e)))
    }

    /// Gets a whole object.
    pub(crate) fn get(&self, relative: &str) -> io::Result<bytes::Bytes> {
        let (store, key) = (self.store.clone(), self.key(relative));
        wait(self.handle()?, async move {
            match store.get(&key).await {
                Ok(got) => got.bytes().await,
                Err(e) => Err(e),
            }
        })?
        .map_err(|e| io::Error::other(one_line(&e)))
    }

    /// Puts a whole object.
    pub(crate) fn put(&self, relative: &str, bytes: Vec<u8>) -> io::Result<()> {
        let (store, key) = (self.store.clone(), self.key(relative));
        wait(self.handle()?, async move {
            store.put(&key, PutPayload::from(bytes)).await
        })?
        .map(|_| ())
        .map_err(|e| io::Error::other(one_line(&e)))
    }

    /// A writer of the object `relative`, visible when committed.
    pub(crate) fn create(self: &Arc<Self>, relative: &str) -> Upload {
        Upload {
            remote: self.clone(),
            key: self.key(relative),
            piece: Vec::new(),
            upload: None,
            in_flight: VecDeque::new(),
            bytes: 0,
        }
    }
}

/// Downloads every object under a store URL (`s3://BUCKET/PREFIX`, its
/// settings in a query: `?endpoint=...`) into `dir`, keeping the paths
/// under the prefix; returns how many. For reading a tree back
/// (`storesim verify --files s3://...`).
pub fn download(url: &str, dir: &std::path::Path) -> Result<u64, String> {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let scheme = Scheme::of(base).ok_or_else(|| format!("{base}: not a store URL"))??;
    let mut config = RemoteConfig {
        url: base.to_string(),
        options: Vec::new(),
    };
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair
            .split_once('=')
            .ok_or_else(|| format!("`{pair}` in {base}'s query: not key=value"))?;
        if !scheme.knows(k) {
            return Err(format!("unknown option `{k}` for {base} (use {OPTIONS})"));
        }
        config.options.push((k.to_string(), v.to_string()));
    }
    let remote = Remote::open(&config)?;
    let mut n = 0;
    for key in remote.list("").map_err(|e| format!("{base}: {e}"))? {
        let bytes = remote
            .get(&key)
            .map_err(|e| format!("{}: {e}", remote.location(&key)))?;
        let path = key.split('/').fold(dir.to_path_buf(), |p, k| p.join(k));
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::write(&path, &bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        n += 1;
    }
    Ok(n)
}

/// Why the store refused the first listing, on one line.
fn refusal(e: &object_store::Error, bucket: &str, config: &RemoteConfig) -> String {
    let text = one_line(e);
    let at = config
        .options
        .iter()
        .find(|(k, _)| k.ends_with("endpoint"))
        .map(|(_, v)| format!(" at {v}"))
        .unwrap_or_default();
    let lower = text.to_ascii_lowercase();
    if lower.contains("nosuchbucket")
        || lower.contains("containernotfound")
        || lower.contains("bucket does not exist")
        || matches!(e, object_store::Error::NotFound { .. })
    {
        format!("{}: bucket `{bucket}` does not exist{at}", config.url)
    } else if lower.contains("accessdenied")
        || lower.contains("invalidaccesskeyid")
        || lower.contains("signaturedoesnotmatch")
        || lower.contains("forbidden")
        || matches!(
            e,
            object_store::Error::PermissionDenied { .. }
                | object_store::Error::Unauthenticated { .. }
        )
    {
        let hint = match config.scheme() {
            Scheme::S3 => "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE",
            Scheme::Gcs => "GOOGLE_SERVICE_ACCOUNT or GOOGLE_APPLICATION_CREDENTIALS",
            Scheme::Azure => "AZURE_STORAGE_ACCOUNT_NAME with AZURE_STORAGE_ACCOUNT_KEY or a token",
        };
        format!(
            "{}: access denied{at} (check the credentials: {hint}): {text}",
            config.url
        )
    } else if lower.contains("connect") || lower.contains("dns") || lower.contains("timed out") {
        format!("{}: the store does not answer{at}: {text}", config.url)
    } else {
        format!("{}: {text}", config.url)
    }
}

/// One object being written: in one PUT if it stays under [`PIECE`]
/// bytes, else as a multipart upload, [`IN_FLIGHT`] pieces at a time.
pub(crate) struct Upload {
    remote: Arc<Remote>,
    key: Key,
    piece: Vec<u8>,
    upload: Option<Box<dyn MultipartUpload>>,
    in_flight: VecDeque<tokio::task::JoinHandle<object_store::Result<()>>>,
    bytes: u64,
}

impl Upload {
    /// Sends the piece held, starting the multipart upload if need be.
    fn send_piece(&mut self) -> io::Result<()> {
        let handle = self.remote.handle()?.clone();
        if self.upload.is_none() {
            let (store, key) = (self.remote.store.clone(), self.key.clone());
            let upload = wait(&handle, async move { store.put_multipart(&key).await })?
                .map_err(|e| io::Error::other(one_line(&e)))?;
            self.upload = Some(upload);
        }
        let piece = std::mem::replace(&mut self.piece, Vec::with_capacity(PIECE));
        if let Some(upload) = &mut self.upload {
            let request = upload.put_part(PutPayload::from(piece));
            self.in_flight.push_back(handle.spawn(request));
        }
        while self.in_flight.len() > IN_FLIGHT {
            self.settle_one()?;
        }
        Ok(())
    }

    /// Waits for the oldest piece in flight.
    fn settle_one(&mut self) -> io::Result<()> {
        if let Some(piece) = self.in_flight.pop_front() {
            futures::executor::block_on(piece)
                .map_err(io::Error::other)?
                .map_err(|e| io::Error::other(one_line(&e)))?;
        }
        Ok(())
    }

    /// Completes the object: from now on it is visible, whole. Returns
    /// its size. On an error the upload is aborted (when dropped).
    pub(crate) fn commit(mut self) -> io::Result<u64> {
        let handle = self.remote.handle()?.clone();
        if self.upload.is_none() {
            let (store, key) = (self.remote.store.clone(), self.key.clone());
            let body = PutPayload::from(std::mem::take(&mut self.piece));
            wait(&handle, async move { store.put(&key, body).await })?
                .map_err(|e| io::Error::other(one_line(&e)))?;
            return Ok(self.bytes);
        }
        if !self.piece.is_empty() {
            self.send_piece()?;
        }
        while !self.in_flight.is_empty() {
            self.settle_one()?;
        }
        if let Some(mut upload) = self.upload.take() {
            wait(&handle, async move { upload.complete().await })?
                .map_err(|e| io::Error::other(one_line(&e)))?;
        }
        Ok(self.bytes)
    }
}

impl Drop for Upload {
    /// An object given up (not committed, or its commit failed): its
    /// multipart upload is aborted, and nothing of it becomes visible.
    fn drop(&mut self) {
        for piece in std::mem::take(&mut self.in_flight) {
            piece.abort();
        }
        if let (Some(mut upload), Ok(handle)) = (self.upload.take(), self.remote.handle()) {
            let _ = wait(handle, async move { upload.abort().await });
        }
    }
}

impl Write for Upload {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let room = PIECE - self.piece.len();
        let n = buf.len().min(room);
        self.piece.extend_from_slice(&buf[..n]);
        self.bytes += n as u64;
        if self.piece.len() == PIECE {
            self.send_piece()?;
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
