//! [`GpuContext`]: the device and queue the layers run on, the limits they
//! respect, and the cache of compiled pipelines. What the device can run
//! (pipelines, limits) is in `support.rs`; GL's call lock in `gl.rs`.

mod gl;
pub(crate) mod owned_buffer;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod owned_buffer_tests;
mod staging;
mod support;
mod tensor_pool;
#[cfg(not(target_arch = "wasm32"))]
mod wait;

pub(crate) use owned_buffer::OwnedBuffer;

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::error::{Error, Result};
use crate::pipelines::PipelineCache;
use crate::uniforms::UniformCache;

/// How long a readback waits for the GPU by default.
const DEFAULT_READBACK_TIMEOUT: Duration = Duration::from_secs(60);

/// Features [`GpuContext::new`] asks for when the adapter has them:
/// subgroups (faster softmax) and timestamps (GPU timing in the benchmark
/// and for hosts that profile).
const OPTIONAL_FEATURES: wgpu::Features = wgpu::Features::SUBGROUP
    .union(wgpu::Features::TIMESTAMP_QUERY)
    .union(wgpu::Features::SHADER_F16);

/// A wgpu device and queue, with the crate's compiled pipelines.
///
/// `GpuContext` is `Send + Sync`: share one (behind an `Arc` or a reference)
/// between threads. Each kernel is compiled once per context, on first use.
///
/// ```
/// # fn main() -> wgpu_activations::Result<()> {
/// let ctx = wgpu_activations::GpuContext::new_blocking()?;
/// let info = ctx.adapter_info();
/// println!("{} ({:?}, {:?})", info.name, info.backend, info.device_type);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct GpuContext {
    // Unique per context; tensors carry it so one from another context is
    // an error. (wgpu's device equality compares ids, which repeat across
    // instances.)
    id: u64,
    device: wgpu::Device,
    queue: wgpu::Queue,
    adapter_info: wgpu::AdapterInfo,
    /// llvmpipe's loop budget, read from the adapter once (every row
    /// dispatch asks).
    loop_budget: Option<u64>,
    limits: wgpu::Limits,
    features: wgpu::Features,
    /// Shared so a browser's late compile error can evict its pipeline.
    pipelines: Arc<PipelineCache>,
    uniforms: UniformCache,
    /// Readback staging buffers kept for reuse.
    staging: staging::StagingPool,
    /// Tensor buffers kept for reuse (shared with the tensors, which give
    /// theirs back when they drop).
    tensor_pool: Arc<tensor_pool::TensorPool>,
    submissions: AtomicU64,
    /// The crate's buffers not yet released ([`GpuContext::buffers_alive`]).
    buffers_alive: Arc<AtomicUsize>,
    /// Set by the device-lost callback on devices this crate created.
    lost: Arc<Mutex<Option<String>>>,
    /// The crate's polls of this device take turns (src/context/wait.rs);
    /// a browser polls for itself.
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    polls: Arc<Mutex<()>>,
    /// Longest wait for a readback (None: unbounded).
    readback_timeout: Mutex<Option<Duration>>,
    /// On the web, the answers of popped error scopes not yet awaited.
    #[cfg(target_arch = "wasm32")]
    pending: Mutex<Vec<PendingScope>>,
}

/// A popped error scope whose answer the browser has not given yet, and what
/// the crate was doing inside it.
#[cfg(target_arch = "wasm32")]
struct PendingScope {
    operation: &'static str,
    answer: std::pin::Pin<Box<dyn std::future::Future<Output = Option<wgpu::Error>> + Send>>,
    /// Run when the answer is an error (a failed compile evicts its pipeline).
    on_error: Option<OnError>,
}

/// What to do when a browser's error scope answers with an error.
#[cfg(target_arch = "wasm32")]
pub(crate) type OnError = Arc<dyn Fn() + Send + Sync>;

/// The first error among `scopes`' answers, awaiting every one, so none is
/// left for a later call.
#[cfg(target_arch = "wasm32")]
async fn first_error(scopes: Vec<PendingScope>) -> Option<(&'static str, wgpu::Error)> {
    let mut first = None;
    for PendingScope {
        operation,
        answer,
        on_error,
    } in scopes
    {
        if let Some(error) = answer.await {
            if let Some(on_error) = on_error {
                on_error();
            }
            first.get_or_insert((operation, error));
        }
    }
    first
}

#[cfg(target_arch = "wasm32")]
impl std::fmt::Debug for PendingScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingScope")
            .field("operation", &self.operation)
            .finish_non_exhaustive()
    }
}

/// Records a device loss for a [`GpuContext`], from a host's own
/// device-lost callback ([`GpuContext::device_lost_notifier`]).
///
/// ```
/// # fn main() -> wgpu_activations::Result<()> {
/// # let (device, queue) = {
/// #     let ctx = wgpu_activations::GpuContext::new_blocking()?;
/// #     (ctx.device().clone(), ctx.queue().clone())
/// # };
/// let ctx = wgpu_activations::GpuContext::from_device(device.clone(), queue);
/// let notifier = ctx.device_lost_notifier();
/// device.set_device_lost_callback(move |reason, message| {
///     notifier.notify(reason, &message);
///     // ... the host's own handling
/// });
/// device.destroy();
/// let _ = device.poll(wgpu_activations::wgpu::PollType::Poll);
/// assert!(ctx.check_device().is_err());
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct DeviceLostNotifier {
    lost: Arc<Mutex<Option<String>>>,
}

impl DeviceLostNotifier {
    /// Records the loss: the context's later calls fail with
    /// [`Error::DeviceLost`] naming `reason` and `message`.
    pub fn notify(&self, reason: wgpu::DeviceLostReason, message: &str) {
        *self.lost.lock().unwrap_or_else(PoisonError::into_inner) =
            Some(format!("{reason:?}: {message}"));
    }
}

/// [`Error::DeviceLost`] once `lost` holds the loss's reason.
fn check_lost(lost: &Mutex<Option<String>>) -> Result<()> {
    match &*lost.lock().unwrap_or_else(PoisonError::into_inner) {
        Some(reason) => Err(Error::DeviceLost {
            reason: reason.clone(),
        }),
        None => Ok(()),
    }
}

impl GpuContext {
    /// Finds an adapter and opens a device on it.
    ///
    /// Honours `WGPU_BACKEND` (e.g. `vulkan`, `gl`), `WGPU_ADAPTER_NAME` (a
    /// case-insensitive substring of the adapter's name) and
    /// `WGPU_POWER_PREF`, as wgpu's own examples do. The device gets the
    /// adapter's own limits, so large tensors bind whole where the adapter allows.
    pub async fn new() -> Result<Self> {
        let instance =
            wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        let adapter = pick_adapter(&instance).await?;
        let info = adapter.get_info();
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("wgpu-activations"),
                // Optional speed-ups, taken where the adapter has them.
                required_features: adapter.features() & OPTIONAL_FEATURES,
                required_limits: adapter.limits(),
                experimental_features: wgpu::ExperimentalFeatures::disabled(),
                memory_hints: wgpu::MemoryHints::Performance,
                trace: wgpu::Trace::Off,
            })
            .await
            .map_err(|source| Error::RequestDevice {
                adapter: info.name.clone(),
                source,
            })?;
        // Every call runs inside error scopes; anything that still escapes
        // (e.g. from a host's misuse of the device) is reported, not a panic.
        device.on_uncaptured_error(Arc::new(|error| {
            eprintln!("wgpu-activations: uncaptured wgpu error: {error}");
        }));
        let ctx = Self::from_device(device, queue);
        // Our own device: a loss is recorded and reported by the next call.
        ctx.set_device_lost_callback(|_, _| {});
        Ok(ctx)
    }

    /// [`GpuContext::new`], blocking the current thread (native only).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn new_blocking() -> Result<Self> {
        pollster::block_on(Self::new())
    }

    /// Runs on a device and queue the host application already has.
    ///
    /// Limits and features are read from the device as it was created; the
    /// host's uncaptured-error handler and device-lost callback are left
    /// alone. For the context to report a loss as [`Error::DeviceLost`]
    /// (rather than as the validation errors a lost device gives), install
    /// the host's lost callback through
    /// [`GpuContext::set_device_lost_callback`], which chains it, or call
    /// [`GpuContext::device_lost_notifier`]'s `notify` from it.
    ///
    /// ```no_run
    /// # fn demo(device: wgpu::Device, queue: wgpu::Queue) {
    /// let ctx = wgpu_activations::GpuContext::from_device(device, queue);
    /// # }
    /// ```
    pub fn from_device(device: wgpu::Device, queue: wgpu::Queue) -> Self {
        static NEXT_ID: AtomicU64 = AtomicU64::new(0);
        let adapter_info = device.adapter_info();
        Self {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            loop_budget: crate::loop_budget::loop_budget(&adapter_info.name, &adapter_info.driver),
            adapter_info,
            limits: device.limits(),
            features: device.features(),
            device,
            queue,
            pipelines: Arc::default(),
            uniforms: UniformCache::default(),
            staging: staging::StagingPool::default(),
            tensor_pool: Arc::default(),
            submissions: AtomicU64::new(0),
            buffers_alive: Arc::default(),
            lost: Arc::default(),
            polls: Arc::default(),
            readback_timeout: Mutex::new(Some(DEFAULT_READBACK_TIMEOUT)),
            #[cfg(target_arch = "wasm32")]
            pending: Mutex::default(),
        }
    }

    /// The device the layers run on.
    pub fn device(&self) -> &wgpu::Device {
        &self.device
    }

    /// The queue work is submitted to.
    pub fn queue(&self) -> &wgpu::Queue {
        &self.queue
    }

    /// Name, backend and type of the adapter.
    pub fn adapter_info(&self) -> &wgpu::AdapterInfo {
        &self.adapter_info
    }

    /// How many loop iterations one shader invocation may run on this
    /// adapter: `Some(65_535)` on Mesa's llvmpipe (lavapipe, or GL on
    /// llvmpipe), which silently stops loops past it; `None` elsewhere. Row
    /// kernels are mapped to stay inside it or refused
    /// (src/loop_budget.rs).
    ///
    /// ```
    /// # let ctx = wgpu_activations::GpuContext::new_blocking()?;
    /// if ctx.adapter_info().name.contains("llvmpipe") {
    ///     assert_eq!(ctx.loop_budget(), Some(65_535));
    /// }
    /// # Ok::<(), wgpu_activations::Error>(())
    /// ```
    pub fn loop_budget(&self) -> Option<u64> {
        self.loop_budget
    }

    /// The device's features; kernels that need one (subgroup softmax) run
    /// only where it is present.
    pub fn features(&self) -> wgpu::Features {
        self.features
    }

    /// Whether the device can hold and compute f16 tensors (it has
    /// `wgpu::Features::SHADER_F16`, which the context requests when the
    /// adapter offers it; Chromium's SwiftShader does not).
    pub fn supports_f16(&self) -> bool {
        self.features.contains(wgpu::Features::SHADER_F16)
    }

    /// The device's limits, which every dispatch respects.
    pub fn limits(&self) -> &wgpu::Limits {
        &self.limits
    }

    /// How many pipelines this context has compiled so far (one per kernel
    /// used; a second forward of a layer compiles nothing).
    pub fn pipelines_compiled(&self) -> usize {
        self.pipelines.compiled()
    }

    /// Sets the device's lost callback to record the loss for this context
    /// (every later call then fails with [`Error::DeviceLost`]) and then run
    /// `host`, the host's own handling. wgpu keeps one lost callback per
    /// device, so a host that shares its device
    /// ([`GpuContext::from_device`]) installs its callback here, or calls
    /// [`DeviceLostNotifier::notify`] from the one it sets itself.
    ///
    /// ```
    /// # fn main() -> wgpu_activations::Result<()> {
    /// use std::sync::atomic::{AtomicBool, Ordering};
    /// use std::sync::Arc;
    /// use wgpu_activations::{Error, GpuContext};
    /// # let (device, queue) = {
    /// #     let ctx = GpuContext::new_blocking()?;
    /// #     (ctx.device().clone(), ctx.queue().clone())
    /// # };
    /// let ctx = GpuContext::from_device(device, queue);
    /// let seen = Arc::new(AtomicBool::new(false));
    /// let host_saw = Arc::clone(&seen);
    /// ctx.set_device_lost_callback(move |_reason, _message| host_saw.store(true, Ordering::SeqCst));
    /// ctx.device().destroy();
    /// let _ = ctx.device().poll(wgpu_activations::wgpu::PollType::Poll);
    /// assert!(seen.load(Ordering::SeqCst));
    /// assert!(matches!(ctx.check_device(), Err(Error::DeviceLost { .. })));
    /// # Ok(()) }
    /// ```
    pub fn set_device_lost_callback(
        &self,
        host: impl Fn(wgpu::DeviceLostReason, String) + Send + 'static,
    ) {
        let notifier = self.device_lost_notifier();
        self.device
            .set_device_lost_callback(move |reason, message| {
                notifier.notify(reason, &message);
                host(reason, message);
            });
    }

    /// A handle that records a device loss for this context, for a host
    /// that sets the device's lost callback itself: call
    /// [`DeviceLostNotifier::notify`] from it.
    pub fn device_lost_notifier(&self) -> DeviceLostNotifier {
        DeviceLostNotifier {
            lost: Arc::clone(&self.lost),
        }
    }

    /// Fails with [`Error::DeviceLost`] once the device is known to be lost:
    /// on devices [`GpuContext::new`] created, and on a host's device whose
    /// lost callback was chained ([`GpuContext::set_device_lost_callback`])
    /// or tells the context ([`GpuContext::device_lost_notifier`]).
    /// Otherwise a host device's loss surfaces as validation errors.
    pub fn check_device(&self) -> Result<()> {
        check_lost(&self.lost)
    }

    /// The longest a readback waits for the GPU before returning
    /// [`Error::Readback`] (default 60 s; `None` waits without bound).
    pub fn readback_timeout(&self) -> Option<Duration> {
        *self
            .readback_timeout
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Sets [`GpuContext::readback_timeout`].
    pub fn set_readback_timeout(&self, timeout: Option<Duration>) {
        *self
            .readback_timeout
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = timeout;
    }

    /// How many distinct uniform buffers (layer parameters, launch
    /// descriptions) this context holds for reuse.
    pub fn uniforms_cached(&self) -> usize {
        self.uniforms.len()
    }

    /// A shared, immutable uniform buffer holding `contents`.
    pub(crate) fn uniform(&self, contents: &[u8]) -> wgpu::Buffer {
        // On GL the whole lookup holds the crate's GL call lock: a miss
        // creates and writes a buffer, and a full cache frees its buffers.
        self.gl_call(|| self.uniforms.get(&self.device, &self.queue, contents))
    }

    /// How many buffers the crate holds for this context: tensors' (also
    /// the chains' intermediates and split kernels' partials until their
    /// submission). A dropped tensor's buffer is released at once, or right
    /// after the submission that uses it, so a loop of forward passes and
    /// readbacks keeps this flat (uniform buffers, counted by
    /// [`GpuContext::uniforms_cached`], are not included).
    ///
    /// ```
    /// # fn main() -> wgpu_activations::Result<()> {
    /// # let ctx = wgpu_activations::GpuContext::new_blocking()?;
    /// use wgpu_activations::{GpuTensor, ReLU};
    /// let x = GpuTensor::from_slice(&ctx, &[3], &[-1.0, 0.0, 2.0])?;
    /// let before = ctx.buffers_alive();
    /// for _ in 0..10 {
    ///     let y = ReLU::default().forward(&ctx, &x)?;
    ///     assert_eq!(y.to_vec_blocking(&ctx)?, [0.0, 0.0, 2.0]);
    /// }
    /// assert_eq!(ctx.buffers_alive(), before);
    /// # Ok(()) }
    /// ```
    pub fn buffers_alive(&self) -> usize {
        self.buffers_alive.load(Ordering::Relaxed)
    }

    /// Takes ownership of `buffer`, made on this context's device: destroyed
    /// when it drops where nothing unsubmitted can use it
    /// (src/context/owned_buffer.rs).
    pub(crate) fn own(&self, buffer: wgpu::Buffer) -> OwnedBuffer {
        OwnedBuffer::new(buffer, self.on_gl(), Some(self.buffers_alive_count()), None)
    }

    /// [`GpuContext::own`] for a tensor's buffer: given back to this
    /// context's pool instead of destroyed.
    pub(crate) fn own_pooled(&self, buffer: wgpu::Buffer) -> OwnedBuffer {
        OwnedBuffer::new(
            buffer,
            self.on_gl(),
            Some(self.buffers_alive_count()),
            Some(Arc::clone(&self.tensor_pool)),
        )
    }

    /// A host's buffer: only ever dropped, and not counted.
    pub(crate) fn own_host(&self, buffer: wgpu::Buffer) -> OwnedBuffer {
        OwnedBuffer::new(buffer, self.on_gl(), None, None)
    }

    /// The pool of tensor buffers.
    pub(crate) fn tensor_pool(&self) -> &Arc<tensor_pool::TensorPool> {
        &self.tensor_pool
    }

    /// Bytes of tensor buffers this context keeps for reuse: buffers of
    /// dropped tensors, handed to the next tensor of the same size (a
    /// `forward`'s output then costs no new, zero-filled buffer), at most
    /// 256 MiB.
    pub fn pooled_bytes(&self) -> u64 {
        self.tensor_pool.kept_bytes()
    }

    /// The pool of readback staging buffers.
    pub(crate) fn staging(&self) -> &staging::StagingPool {
        &self.staging
    }

    /// The counter behind [`GpuContext::buffers_alive`], for new buffers.
    pub(crate) fn buffers_alive_count(&self) -> Arc<AtomicUsize> {
        Arc::clone(&self.buffers_alive)
    }

    /// How many command buffers this context has submitted: one per forward,
    /// one per [`crate::Sequential`] chain, one per readback.
    pub fn submissions(&self) -> u64 {
        self.submissions.load(Ordering::Relaxed)
    }

    /// Records work with `record` into a fresh command encoder and submits it
    /// once, inside error scopes. Nothing is submitted if `record` fails.
    pub(crate) fn submit_with(
        &self,
        operation: &'static str,
        record: impl FnOnce(&mut wgpu::CommandEncoder) -> Result<()>,
    ) -> Result<()> {
        self.submit_with_index(operation, record).map(drop)
    }

    /// [`GpuContext::submit_with`], returning the submission's index so a
    /// wait can be for this work only.
    pub(crate) fn submit_with_index(
        &self,
        operation: &'static str,
        record: impl FnOnce(&mut wgpu::CommandEncoder) -> Result<()>,
    ) -> Result<wgpu::SubmissionIndex> {
        // Buffers dropped while recording are destroyed after the submit.
        self.scoped(operation, || {
            owned_buffer::submitting(|| {
                let mut encoder =
                    self.device
                        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                            label: Some(operation),
                        });
                record(&mut encoder)?;
                let commands = encoder.finish();
                let index = self.gl_call(|| self.queue.submit([commands]));
                self.submissions.fetch_add(1, Ordering::Relaxed);
                Ok(index)
            })
        })?
    }

    /// Blocks until submission `index` (this crate's own work, not the
    /// device's latest) has finished, or fails with `Error::Readback` past
    /// [`GpuContext::readback_timeout`] (src/context/wait.rs).
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn wait_for(&self, index: wgpu::SubmissionIndex) -> Result<()> {
        self.waiter().wait(index)
    }

    /// What a wait needs, owned, so another thread can wait for this
    /// context's work.
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn waiter(&self) -> wait::Waiter {
        wait::Waiter {
            device: self.device.clone(),
            on_gl: self.on_gl(),
            timeout: self.readback_timeout(),
            lost: Arc::clone(&self.lost),
            polls: Arc::clone(&self.polls),
        }
    }

    /// This context's unique id.
    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    /// Fails unless `id` is this context's.
    pub(crate) fn check_id(&self, id: u64) -> Result<()> {
        if id == self.id {
            Ok(())
        } else {
            Err(Error::ContextMismatch)
        }
    }

    /// Runs `f` inside out-of-memory and validation error scopes and returns
    /// what they caught as an [`Error`].
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn scoped<T>(&self, operation: &'static str, f: impl FnOnce() -> T) -> Result<T> {
        self.check_device()?;
        let validation = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let out_of_memory = self.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let value = f();
        // On native, popped scopes are answered at once.
        let oom = pollster::block_on(out_of_memory.pop());
        let invalid = pollster::block_on(validation.pop());
        match oom.or(invalid) {
            // An error caused by a loss is reported as the loss; a poll runs
            // the lost callback if wgpu has not yet.
            Some(error) => {
                #[cfg(not(target_arch = "wasm32"))]
                let _ = wait::poll(
                    &self.device,
                    &self.polls,
                    self.on_gl(),
                    wgpu::PollType::Poll,
                );
                Err(self
                    .check_device()
                    .err()
                    .unwrap_or_else(|| Error::from_wgpu(operation, error)))
            }
            None => Ok(value),
        }
    }

    /// On the web the browser answers error scopes asynchronously, and a
    /// synchronous call cannot wait for it: the popped scopes are kept, and
    /// what they caught is returned by the next [`GpuContext::check_errors`]
    /// or [`crate::GpuTensor::to_vec`].
    #[cfg(target_arch = "wasm32")]
    pub(crate) fn scoped<T>(&self, operation: &'static str, f: impl FnOnce() -> T) -> Result<T> {
        self.scoped_then(operation, f, None)
    }

    /// [`GpuContext::scoped`], running `on_error` if the browser later
    /// answers with an error.
    #[cfg(target_arch = "wasm32")]
    pub(crate) fn scoped_then<T>(
        &self,
        operation: &'static str,
        f: impl FnOnce() -> T,
        on_error: Option<OnError>,
    ) -> Result<T> {
        self.check_device()?;
        let validation = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let out_of_memory = self.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let value = f();
        // Popping takes effect at once; only the answer comes later.
        let oom = out_of_memory.pop();
        let invalid = validation.pop();
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        pending.push(PendingScope {
            operation,
            answer: Box::pin(oom),
            on_error: on_error.clone(),
        });
        pending.push(PendingScope {
            operation,
            answer: Box::pin(invalid),
            on_error,
        });
        Ok(value)
    }

    /// Runs `call` (any of the crate's calls on this context) and returns
    /// its result once the GPU has judged the work it recorded: in a
    /// browser, where WebGPU answers asynchronously, a call the GPU rejects
    /// returns `Ok` at once and its error arrives later; awaited through
    /// `checked`, that call's own error is returned here. Errors of earlier
    /// calls are left for [`GpuContext::check_errors`]. On native every
    /// call reports its own errors anyway, so `checked` only runs `call`.
    ///
    /// ```
    /// # fn main() -> wgpu_activations::Result<()> {
    /// # pollster::block_on(async {
    /// use wgpu_activations::{Error, GpuContext, GpuTensor, ReLU};
    /// let ctx = GpuContext::new().await?;
    /// let x = GpuTensor::from_slice(&ctx, &[2], &[-1.0, 1.0])?;
    /// let y = ctx.checked(|| ReLU::default().forward(&ctx, &x)).await?;
    /// assert_eq!(y.to_vec(&ctx).await?, [0.0, 1.0]);
    /// // Work on a destroyed buffer: rejected by the GPU, and reported by
    /// // this very call, in a browser too.
    /// x.buffer().destroy();
    /// let rejected = ctx.checked(|| ReLU::default().forward(&ctx, &x)).await;
    /// assert!(matches!(rejected, Err(Error::Validation { .. })));
    /// ctx.check_errors().await // nothing else is pending
    /// # })
    /// # }
    /// ```
    pub async fn checked<T>(&self, call: impl FnOnce() -> Result<T>) -> Result<T> {
        #[cfg(target_arch = "wasm32")]
        {
            let start = self
                .pending
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .len();
            let value = call();
            // The scopes `call` opened; taken out before awaiting, so the
            // lock is not held across an await.
            let mine = {
                let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
                let start = start.min(pending.len());
                pending.split_off(start)
            };
            let error = first_error(mine).await;
            let value = value?;
            match error {
                Some((operation, error)) => Err(self
                    .check_device()
                    .err()
                    .unwrap_or_else(|| Error::from_wgpu(operation, error))),
                None => Ok(value),
            }
        }
        #[cfg(not(target_arch = "wasm32"))]
        call()
    }

    /// Waits for the GPU's verdict on every call made so far and returns the
    /// first error it reported.
    ///
    /// On native each call reports its own errors, so this only checks that
    /// the device is not lost. In a browser the GPU answers asynchronously:
    /// a `forward` the browser rejects still returns `Ok`, and its error is
    /// returned here, or by the next [`crate::GpuTensor::to_vec`] (which
    /// calls this first, so rejected work is never read back as data).
    pub async fn check_errors(&self) -> Result<()> {
        #[cfg(target_arch = "wasm32")]
        {
            // Taken out first: the lock is not held across an await.
            let pending =
                std::mem::take(&mut *self.pending.lock().unwrap_or_else(PoisonError::into_inner));
            if let Some((operation, error)) = first_error(pending).await {
                return Err(self
                    .check_device()
                    .err()
                    .unwrap_or_else(|| Error::from_wgpu(operation, error)));
            }
        }
        self.check_device()
    }
}

/// Where WebGPU is missing in a browser, what usually fixes it.
const WEB_HINT: &str = if cfg!(target_arch = "wasm32") {
    ". In a browser, WebGPU must be available (navigator.gpu): a browser with \
     WebGPU enabled, on https or localhost; Chromium without a GPU needs \
     --enable-unsafe-webgpu to expose its SwiftShader adapter"
} else {
    ""
};

/// The adapter named by `WGPU_ADAPTER_NAME`, else wgpu's default choice.
async fn pick_adapter(instance: &wgpu::Instance) -> Result<wgpu::Adapter> {
    let backends = wgpu::Backends::from_env().unwrap_or_default();
    if let Ok(wanted) = std::env::var("WGPU_ADAPTER_NAME") {
        let wanted = wanted.to_lowercase();
        let adapters = instance.enumerate_adapters(backends).await;
        let names: Vec<String> = adapters.iter().map(|a| a.get_info().name).collect();
        return adapters
            .into_iter()
            .find(|a| a.get_info().name.to_lowercase().contains(&wanted))
            .ok_or_else(|| Error::NoAdapter {
                reason: format!("WGPU_ADAPTER_NAME={wanted:?} matches none of {names:?}"),
            });
    }
    instance
        .request_adapter(&wgpu::RequestAdapterOptions {
            power_preference: wgpu::PowerPreference::from_env().unwrap_or_default(),
            ..Default::default()
        })
        .await
        .map_err(|e| Error::NoAdapter {
            reason: format!("{e} (backends: {backends:?}){WEB_HINT}"),
        })
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn error_scopes_turn_wgpu_validation_errors_into_results() {
        let ctx = GpuContext::new_blocking()
            .unwrap_or_else(|e| panic!("the tests need a wgpu adapter: {e}"));
        // MAP_READ may only be combined with COPY_DST: wgpu rejects this buffer.
        let result = ctx.scoped("making an invalid buffer", || {
            ctx.device().create_buffer(&wgpu::BufferDescriptor {
                label: None,
                size: 16,
                usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::STORAGE,
                mapped_at_creation: false,
            })
        });
        match result {
            Err(Error::Validation { operation, .. }) => {
                assert_eq!(operation, "making an invalid buffer")
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
        // The context keeps working afterwards.
        assert!(ctx
            .scoped("a valid buffer", || ctx.device().create_buffer(
                &wgpu::BufferDescriptor {
                    label: None,
                    size: 16,
                    usage: wgpu::BufferUsages::STORAGE,
                    mapped_at_creation: false,
                }
            ))
            .is_ok());
    }
}

/// In a browser: errors that the browser reports asynchronously still come
/// back as `Err`, from [`GpuContext::check_errors`].
#[cfg(all(test, target_arch = "wasm32"))]
mod web_tests {
    use super::*;
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

    wasm_bindgen_test_configure!(run_in_browser);

    #[wasm_bindgen_test]
    async fn browser_validation_errors_surface_in_check_errors() {
        let ctx = GpuContext::new()
            .await
            .unwrap_or_else(|e| panic!("the browser tests need WebGPU: {e}"));
        // MAP_READ may only be combined with COPY_DST: WebGPU rejects this buffer.
        let made = ctx.scoped("making an invalid buffer", || {
            ctx.device().create_buffer(&wgpu::BufferDescriptor {
                label: None,
                size: 16,
                usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::STORAGE,
                mapped_at_creation: false,
            })
        });
        assert!(made.is_ok(), "the browser answers later, not here");
        match ctx.check_errors().await {
            Err(Error::Validation { operation, .. }) => {
                assert_eq!(operation, "making an invalid buffer")
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
        // Reported once, and the context keeps working afterwards.
        ctx.check_errors()
            .await
            .expect("the error was already reported");
        let x = crate::GpuTensor::from_slice(&ctx, &[2], &[-1.0, 2.0]).expect("upload");
        let y = crate::ReLU::default().forward(&ctx, &x).expect("forward");
        assert_eq!(y.to_vec(&ctx).await.expect("readback"), [0.0, 2.0]);
    }
}
