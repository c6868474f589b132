//! When the crate destroys its own buffers (src/context/owned_buffer.rs):
//! at once where every use was submitted, after the recording submission
//! where one still may be, and never where a caller's encoder may hold it.

use crate::context::{GpuContext, OwnedBuffer};
use crate::error::{Error, Result};

fn ctx() -> GpuContext {
    GpuContext::new_blocking().unwrap_or_else(|e| panic!("the tests need a wgpu adapter: {e}"))
}

fn storage(ctx: &GpuContext) -> OwnedBuffer {
    let buffer = ctx.device().create_buffer(&wgpu::BufferDescriptor {
        label: Some("owned_buffer test"),
        size: 16,
        usage: wgpu::BufferUsages::STORAGE
            | wgpu::BufferUsages::COPY_SRC
            | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    ctx.own(buffer)
}

/// Copies `from` into a fresh buffer in a submission of its own.
fn copy_from(ctx: &GpuContext, from: &wgpu::Buffer) -> Result<()> {
    let to = storage(ctx);
    ctx.submit_with("copying", |encoder| {
        encoder.copy_buffer_to_buffer(from, 0, &to, 0, 16);
        Ok(())
    })?;
    pollster::block_on(ctx.check_errors())
}

fn destroyed(result: Result<()>) -> bool {
    matches!(&result, Err(Error::Validation { description, .. }) if description.contains("destroyed"))
}

#[test]
fn a_dropped_buffer_is_destroyed_unless_something_may_still_use_it() {
    let ctx = ctx();
    let before = ctx.buffers_alive();
    // Used in a submitted command only: destroyed when dropped (a clone
    // of the wgpu handle shows it).
    let owned = storage(&ctx);
    copy_from(&ctx, &owned).unwrap();
    let raw = (*owned).clone();
    assert_eq!(ctx.buffers_alive(), before + 1);
    drop(owned);
    assert_eq!(ctx.buffers_alive(), before);
    assert!(
        destroyed(copy_from(&ctx, &raw)),
        "{:?}",
        copy_from(&ctx, &raw)
    );

    // Handed out (or bound in a caller's encoder): only dropped.
    let owned = storage(&ctx);
    let raw = owned.bound().clone();
    drop(owned);
    assert_eq!(ctx.buffers_alive(), before);
    copy_from(&ctx, &raw).unwrap();

    // Dropped while the crate records its own submission, after a
    // command used it: that submission still runs, and the buffer is
    // destroyed after it.
    let owned = storage(&ctx);
    let raw = (*owned).clone();
    let to = storage(&ctx);
    ctx.submit_with("copying a buffer dropped meanwhile", |encoder| {
        encoder.copy_buffer_to_buffer(owned.bound(), 0, &to, 0, 16);
        drop(owned);
        Ok(())
    })
    .unwrap();
    pollster::block_on(ctx.check_errors()).unwrap();
    assert!(destroyed(copy_from(&ctx, &raw)));
    drop(to);
    assert_eq!(ctx.buffers_alive(), before);
}
