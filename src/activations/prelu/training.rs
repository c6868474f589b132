//! Training PReLU's alpha on the GPU: its gradient (reduced to alpha's shape,
//! with the regularizer's gradient), the regularizer's penalty, the
//! constraint, and the update an optimizer makes.

use crate::activations::prelu::layer::{Regularization, ALPHA_GRAD};
use crate::activations::prelu::PReLU;
use crate::context::GpuContext;
use crate::dispatch::Grid;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::kernels::rows::RowParams;
use crate::kernels::spec::{Kernel, Specialization, UpdateConstraint, Variant};
use crate::launch_rows::{dispatch_rows, row_params};
use crate::layer::Layer;
use crate::loop_budget::{longest_row, row_loop_iterations};
use crate::record::Recorder;
use crate::tensor::GpuTensor;
use crate::weights::kernels::{
    PenaltyParams, Update, PARAM_PENALTY, PARAM_UPDATE, PARAM_UPDATE_CHUNK,
};
use crate::weights::{Constraint, Regularizer};

/// What [`PReLU::gradients`] returns: the gradient with respect to the
/// input and to alpha, both on the GPU.
#[derive(Clone, Debug)]
pub struct PreluGradients {
    /// `dL/dx`, the input's shape.
    pub dx: GpuTensor,
    /// `dL/dalpha`, alpha's shape (with the regularizer's gradient, if any).
    pub d_alpha: GpuTensor,
}

impl PReLU {
    /// Adds a regularizer on alpha: [`PReLU::alpha_gradient`] then includes
    /// its gradient and [`PReLU::regularization_penalty`] its penalty.
    pub fn with_regularizer(mut self, regularizer: Regularizer) -> Self {
        self.regularizer = Some(regularizer);
        self
    }

    /// Adds a constraint on alpha, applied after each optimizer step (and by
    /// [`PReLU::apply_constraint`]), never in the forward pass.
    pub fn with_constraint(mut self, constraint: Constraint) -> Self {
        self.constraint = Some(constraint);
        self
    }

    /// The regularizer, if any.
    pub fn regularizer(&self) -> Option<Regularizer> {
        self.regularizer
    }

    /// The constraint, if any.
    pub fn constraint(&self) -> Option<&Constraint> {
        self.constraint.as_ref()
    }

    /// alpha on `ctx`'s GPU (uploaded if needed): a handle to the very buffer
    /// the layer reads and updates.
    pub fn alpha_tensor(&self, ctx: &GpuContext) -> Result<GpuTensor> {
        let mut state = self.lock();
        let built = state.as_mut().ok_or_else(not_built)?;
        built.gpu_alpha_on(ctx)
    }

    /// Reads alpha's current values, from the GPU when an update left them
    /// there, and keeps them as the host copy ([`PReLU::alpha`]).
    pub async fn read_alpha(&self, ctx: &GpuContext) -> Result<Vec<f32>> {
        let pending = {
            let state = self.lock();
            let built = state.as_ref().ok_or_else(not_built)?;
            match (&built.alpha, &built.gpu_alpha) {
                (Some(host), _) => return Ok(host.clone()),
                (None, Some(gpu)) => gpu.clone(),
                (None, None) => unreachable!("alpha is always on the host or the GPU"),
            }
        };
        let values = pending.to_vec(ctx).await?;
        let mut state = self.lock();
        if let Some(built) = state.as_mut() {
            // Unless another update or set_alpha came in meanwhile.
            if built.alpha.is_none()
                && built
                    .gpu_alpha
                    .as_ref()
                    .is_some_and(|g| g.shares_buffer(&pending))
            {
                built.alpha = Some(values.clone());
            }
        }
        Ok(values)
    }

    /// [`PReLU::read_alpha`], blocking (native only).
    #[cfg(not(target_arch = "wasm32"))]
    pub fn read_alpha_blocking(&self, ctx: &GpuContext) -> Result<Vec<f32>> {
        pollster::block_on(self.read_alpha(ctx))
    }

    /// `dL/dalpha` on the GPU, alpha's shape: the sum over the batch axis and
    /// the shared axes of `dy * min(x, 0)`, plus the regularizer's gradient
    /// when the layer has one. One submission.
    ///
    /// ```
    /// # fn main() -> wgpu_activations::Result<()> {
    /// use wgpu_activations::{training::Regularizer, GpuContext, GpuTensor, PReLU};
    /// let ctx = GpuContext::new_blocking()?;
    /// let prelu = PReLU::new().with_shared_axes(&[1]);
    /// let x = GpuTensor::from_slice(&ctx, &[2, 2, 1], &[-1.0, -2.0, 3.0, -4.0])?;
    /// let dy = GpuTensor::from_slice(&ctx, &[2, 2, 1], &[1.0, 1.0, 1.0, 0.5])?;
    /// let d_alpha = prelu.alpha_gradient(&ctx, &x, &dy)?;
    /// assert_eq!(d_alpha.shape(), &[1, 1]);
    /// assert_eq!(d_alpha.to_vec_blocking(&ctx)?, vec![-5.0]);
    /// # Ok(()) }
    /// ```
    pub fn alpha_gradient(
        &self,
        ctx: &GpuContext,
        x: &GpuTensor,
        dy: &GpuTensor,
    ) -> Result<GpuTensor> {
        let alpha = self.built_for(ctx, x.shape())?;
        let d_alpha = GpuTensor::uninit(ctx, alpha.shape(), DType::F32)?;
        ctx.submit_with("PReLU alpha gradient", |encoder| {
            self.encode_alpha_gradient(ctx, encoder, x, dy, &d_alpha, self.regularizer.is_some())
        })?;
        Ok(d_alpha)
    }

    /// Both gradients in one submission: `dx` and `dL/dalpha` (with the
    /// regularizer's gradient when the layer has one).
    pub fn gradients(
        &self,
        ctx: &GpuContext,
        x: &GpuTensor,
        dy: &GpuTensor,
    ) -> Result<PreluGradients> {
        let alpha = self.built_for(ctx, x.shape())?;
        let dx = GpuTensor::uninit_like(ctx, x)?;
        let d_alpha = GpuTensor::uninit(ctx, alpha.shape(), DType::F32)?;
        ctx.submit_with("PReLU gradients", |encoder| {
            self.encode_backward(ctx, encoder, x, dy, &dx)?;
            self.encode_alpha_gradient(ctx, encoder, x, dy, &d_alpha, self.regularizer.is_some())
        })?;
        Ok(PreluGradients { dx, d_alpha })
    }

    /// Records `dL/dalpha` into `d_alpha` (alpha's shape); with `regularized`,
    /// the regularizer's gradient is added (none without a regularizer).
    pub fn encode_alpha_gradient(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        x: &GpuTensor,
        dy: &GpuTensor,
        d_alpha: &GpuTensor,
        regularized: bool,
    ) -> Result<()> {
        x.check_same_shape("dy", dy)?;
        if x.dtype() != DType::F32 {
            return Err(Error::DType(format!(
                "PReLU's alpha gradient takes f32 x and dy (alpha and its gradient stay f32, \
                 as Keras keeps variables under mixed precision); these hold {}",
                x.dtype()
            )));
        }
        if d_alpha.dtype() != DType::F32 {
            return Err(Error::DType(format!(
                "d_alpha must hold f32 (alpha and its gradient stay f32); this one holds {}",
                d_alpha.dtype()
            )));
        }
        let alpha = self.built_for(ctx, x.shape())?;
        let alpha_shape = alpha.shape();
        if d_alpha.shape() != alpha_shape {
            return Err(Error::Shape(format!(
                "d_alpha has shape {:?} but alpha has shape {alpha_shape:?}",
                d_alpha.shape(),
            )));
        }
        if d_alpha.shares_buffer(&alpha) {
            return Err(Error::SameTensor("d_alpha must not be alpha itself".into()));
        }
        // Rows are alpha's elements; each runs over the batch axis and every
        // axis alpha broadcasts along.
        let shape = x.shape();
        let reduced: Vec<usize> = (0..shape.len())
            .filter(|&axis| axis == 0 || alpha_shape[axis - 1] == 1)
            .collect();
        let (mut params, _) = row_params(shape, &reduced, None)?;
        params.rows = u32::try_from(d_alpha.len())
            .map_err(|_| Error::Shape("alpha does not fit 32-bit indices".into()))?;
        let (l1, l2) = match (regularized, self.regularizer) {
            (true, Some(r)) => r.factors(),
            _ => (0.0, 0.0),
        };
        let regularization = Regularization {
            l1,
            l2,
            _pad: [0.0; 2],
        };
        dispatch_rows(
            ctx,
            encoder,
            ALPHA_GRAD,
            params,
            None,
            &[
                ("input", x),
                ("output", d_alpha),
                ("upstream", dy),
                ("alpha", &alpha),
            ],
            &[("regularization", bytemuck::bytes_of(&regularization))],
        )
    }

    /// The regularizer's penalty on alpha, computed on the GPU into a
    /// one-element tensor (0 without a regularizer).
    ///
    /// ```
    /// # fn main() -> wgpu_activations::Result<()> {
    /// use wgpu_activations::{training::Regularizer, GpuContext, PReLU};
    /// let ctx = GpuContext::new_blocking()?;
    /// let prelu = PReLU::new().with_regularizer(Regularizer::l1_l2(0.5, 0.25)?);
    /// prelu.build(&[1, 2])?;
    /// prelu.set_alpha(&[-2.0, 1.0])?;
    /// let penalty = prelu.regularization_penalty(&ctx)?.to_vec_blocking(&ctx)?;
    /// assert_eq!(penalty, vec![0.5 * 3.0 + 0.25 * 5.0]);
    /// # Ok(()) }
    /// ```
    pub fn regularization_penalty(&self, ctx: &GpuContext) -> Result<GpuTensor> {
        let alpha = self.alpha_tensor(ctx)?;
        let out = GpuTensor::from_slice(ctx, &[1], &[0.0])?;
        let Some(regularizer) = self.regularizer else {
            return Ok(out);
        };
        let (l1, l2) = regularizer.factors();
        let len = u32::try_from(alpha.len())
            .map_err(|_| Error::Shape("alpha does not fit 32-bit indices".into()))?;
        let kernel: Kernel = PARAM_PENALTY;
        // One workgroup strides over alpha, in chunks where llvmpipe's loop
        // budget would stop it part way (each chunk adds its share).
        let strided = |row_len| RowParams {
            rows: 1,
            row_len,
            ..Default::default()
        };
        let chunk = longest_row(kernel, &strided(len), ctx);
        ctx.submit_with("PReLU regularization penalty", |encoder| {
            let recorder = Recorder::new(
                ctx,
                kernel,
                Variant::Separate,
                Specialization::None,
                DType::F32,
            )?;
            for first in (0..len).step_by(chunk as usize) {
                let params = PenaltyParams {
                    len: chunk.min(len - first),
                    l1,
                    l2,
                    first,
                };
                crate::loop_budget::check(
                    kernel,
                    row_loop_iterations(kernel, &strided(params.len), ctx.workgroup_size(kernel)),
                    ctx.loop_budget(),
                )?;
                let params = ctx.uniform(bytemuck::bytes_of(&params));
                let bind_group = recorder.bind_group(&[
                    ("params", params.as_entire_binding()),
                    ("input", alpha.binding()),
                    ("output", out.binding()),
                ])?;
                let grid = Grid { x: 1, y: 1 };
                recorder.dispatch(&mut recorder.pass(encoder), &bind_group, grid);
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// Applies the layer's constraint to alpha on the GPU (nothing without
    /// one), as Keras's optimizer does after an update.
    pub fn apply_constraint(&self, ctx: &GpuContext) -> Result<()> {
        self.update_alpha(ctx, None)
    }

    /// Optionally `alpha -= learning_rate * grad`, then the constraint, in
    /// one submission; the host copy of alpha becomes stale.
    pub(crate) fn update_alpha(
        &self,
        ctx: &GpuContext,
        step: Option<(&GpuTensor, f32)>,
    ) -> Result<()> {
        if step.is_none() && self.constraint.is_none() {
            return Ok(());
        }
        let mut state = self.lock();
        let built = state.as_mut().ok_or_else(not_built)?;
        let mut alpha = built.gpu_alpha_on(ctx)?;
        // A clone shares this buffer (`PReLU::clone`): the update writes a
        // copy of its own, recorded in the same submission.
        let shared = built.gpu_alpha_shared.then(|| alpha.clone());
        if shared.is_some() {
            alpha = GpuTensor::uninit(ctx, alpha.shape(), DType::F32)?;
        }
        let placeholder;
        let grad = match step {
            Some((grad, _)) => {
                grad.check_context(ctx)?;
                if grad.shape() != alpha.shape() {
                    return Err(Error::Shape(format!(
                        "the gradient has shape {:?} but alpha has shape {:?}",
                        grad.shape(),
                        alpha.shape()
                    )));
                }
                if grad.dtype() != DType::F32 {
                    return Err(Error::DType(format!(
                        "the gradient must hold f32, as alpha does; this one holds {}",
                        grad.dtype()
                    )));
                }
                if grad.shares_buffer(&alpha) {
                    return Err(Error::SameTensor(
                        "the gradient must not be alpha itself".into(),
                    ));
                }
                grad
            }
            // The kernel binds a gradient even when it takes no step.
            None => {
                placeholder = GpuTensor::from_slice(ctx, &[1], &[0.0])?;
                &placeholder
            }
        };
        let shape = alpha.shape().to_vec();
        let axes = match &self.constraint {
            Some(c) => c.axes(&shape)?,
            None => Vec::new(),
        };
        let (params, _) = row_params(&shape, &axes, None)?;
        let (min_value, max_value, rate) = self
            .constraint
            .as_ref()
            .map_or((0.0, 0.0, 0.0), Constraint::bounds);
        let update = Update {
            learning_rate: step.map_or(0.0, |(_, lr)| lr),
            min_value,
            max_value,
            rate,
            ..Update::default()
        };
        // A row too long for one invocation's loop budget (a norm over more
        // than about 32,000 elements on llvmpipe) runs in chunks.
        let chunk = longest_row(PARAM_UPDATE, &params, ctx);
        let squares = if chunk < params.row_len {
            Some(GpuTensor::uninit(ctx, &[params.rows as usize], DType::F32)?)
        } else {
            None
        };
        let mode = self
            .constraint
            .as_ref()
            .map_or(UpdateConstraint::None, Constraint::mode);

        ctx.submit_with("PReLU alpha update", |encoder| {
            if let Some(shared) = &shared {
                GpuTensor::record_copy(encoder, shared, &alpha);
            }
            let Some(squares) = &squares else {
                return dispatch_rows(
                    ctx,
                    encoder,
                    PARAM_UPDATE,
                    params,
                    Some((mode, step.is_some())),
                    // The shader's `input` is the gradient, `output` the parameter.
                    &[("input", grad), ("output", &alpha)],
                    &[("update", bytemuck::bytes_of(&update))],
                );
            };
            for phase in [0, 1] {
                for first in (0..params.row_len).step_by(chunk as usize) {
                    let count = chunk.min(params.row_len - first);
                    let update = Update {
                        first,
                        count,
                        phase,
                        ..update
                    };
                    dispatch_rows(
                        ctx,
                        encoder,
                        PARAM_UPDATE_CHUNK,
                        // row_len: what one dispatch loops over (the loop
                        // budget's count); elements are indexed by position.
                        RowParams {
                            row_len: count,
                            ..params
                        },
                        Some((mode, step.is_some())),
                        &[("input", grad), ("output", &alpha), ("squares", squares)],
                        &[("update", bytemuck::bytes_of(&update))],
                    )?;
                }
            }
            Ok(())
        })?;
        built.alpha = None;
        built.gpu_alpha = Some(alpha);
        built.gpu_alpha_shared = false;
        Ok(())
    }
}

fn not_built() -> Error {
    Error::NotBuilt("PReLU is not built yet: call build(input_shape) or run it once".into())
}
