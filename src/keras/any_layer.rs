//! [`AnyLayer`]: one of the six layers, or a chain of them, as a config
//! describes it; a [`Layer`] like the concrete ones, plus masks.

use crate::context::GpuContext;
use crate::error::Result;
use crate::layer::{Layer, Saved};
use crate::sequential::{
    encode_chain, encode_chain_backward, reference_chain, reference_chain_backward,
};
use crate::tensor::GpuTensor;
use crate::PReLU;

/// Generates [`AnyLayer`], its `From` impls and `single` from the
/// activation table (`activations::with_activations!`).
macro_rules! any_layer {
    ($($variant:ident => $ty:ty, $held:ty;)*) => {
        /// A layer built from a Keras config: any of the six, or a chain of them
        /// (a Keras `Sequential` of activation layers), run in one submission.
        ///
        /// It forwards on the GPU and on the CPU exactly as the layer inside it.
        /// A mask ([`AnyLayer::forward_masked`]) reaches every Softmax in it; the
        /// other layers pass it on, as Keras's activation layers do.
        ///
        /// ```
        /// # fn main() -> wgpu_activations::Result<()> {
        /// use wgpu_activations::{keras::AnyLayer, GpuContext, GpuTensor, Layer, ReLU, Softmax};
        /// let ctx = GpuContext::new_blocking()?;
        /// let chain = AnyLayer::Chain(vec![ReLU::default().into(), Softmax::new(-1).into()]);
        /// let x = GpuTensor::from_slice(&ctx, &[1, 3], &[-5.0, 0.0, 0.0])?;
        /// let mask = GpuTensor::from_mask(&ctx, &[3], &[true, true, false])?;
        /// let y = chain.forward_masked(&ctx, &x, Some(&mask))?.to_vec_blocking(&ctx)?;
        /// assert_eq!(y, vec![0.5, 0.5, 0.0]);
        /// assert_eq!(chain.class_name(), "Sequential");
        /// # Ok(()) }
        /// ```
        #[derive(Clone, Debug)]
        #[non_exhaustive]
        pub enum AnyLayer {
            $(
                #[doc = concat!("Keras `", stringify!($variant), "`.")]
                $variant($held),
            )*
            /// Layers applied in order (a Keras `Sequential`); empty is the identity.
            Chain(Vec<AnyLayer>),
        }

        $(
            impl From<$ty> for AnyLayer {
                fn from(layer: $ty) -> Self {
                    // `into` boxes where the table says the variant holds a box.
                    AnyLayer::$variant(layer.into())
                }
            }
        )*

        impl AnyLayer {
            /// The layer inside, as a trait object (`None` for a chain).
            fn single(&self) -> Option<&dyn Layer> {
                match self {
                    $(AnyLayer::$variant(l) => {
                        let layer: &$ty = std::borrow::Borrow::borrow(l);
                        Some(layer)
                    })*
                    AnyLayer::Chain(_) => None,
                }
            }
        }
    };
}

crate::activations::with_activations!(any_layer);

impl AnyLayer {
    /// A chain's layers as trait objects (empty for a single layer).
    fn as_chain(&self) -> Vec<&dyn Layer> {
        match self {
            AnyLayer::Chain(layers) => layers.iter().map(|l| l as &dyn Layer).collect(),
            _ => Vec::new(),
        }
    }

    /// The PReLU inside, if this is one (to set or read its alpha).
    ///
    /// ```
    /// use wgpu_activations::{keras::AnyLayer, PReLU, ReLU};
    /// assert!(AnyLayer::from(PReLU::new()).as_prelu().is_some());
    /// assert!(AnyLayer::from(ReLU::default()).as_prelu().is_none());
    /// ```
    pub fn as_prelu(&self) -> Option<&PReLU> {
        match self {
            AnyLayer::PReLU(p) => Some(p),
            _ => None,
        }
    }
}

impl Layer for AnyLayer {
    fn class_name(&self) -> &'static str {
        self.single().map_or("Sequential", |l| l.class_name())
    }

    fn encode(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        x: &GpuTensor,
        out: &GpuTensor,
    ) -> Result<()> {
        self.encode_masked(ctx, encoder, x, None, out)
    }

    fn encode_masked(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        x: &GpuTensor,
        mask: Option<&GpuTensor>,
        out: &GpuTensor,
    ) -> Result<()> {
        match self.single() {
            Some(layer) => layer.encode_masked(ctx, encoder, x, mask, out),
            None => encode_chain(ctx, encoder, &self.as_chain(), x, mask, out),
        }
    }

    fn supports_in_place(&self) -> bool {
        match self.single() {
            Some(layer) => layer.supports_in_place(),
            None => self.as_chain().iter().all(|l| l.supports_in_place()),
        }
    }

    fn encode_in_place(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        x: &GpuTensor,
    ) -> Result<()> {
        match self.single() {
            Some(layer) => layer.encode_in_place(ctx, encoder, x),
            None => {
                for layer in self.as_chain() {
                    layer.encode_in_place(ctx, encoder, x)?;
                }
                Ok(())
            }
        }
    }

    fn reference(&self, shape: &[usize], x: &[f32]) -> Result<Vec<f32>> {
        self.reference_masked(shape, x, None)
    }

    fn reference_masked(
        &self,
        shape: &[usize],
        x: &[f32],
        mask: Option<(&[usize], &[f32])>,
    ) -> Result<Vec<f32>> {
        match self.single() {
            Some(layer) => layer.reference_masked(shape, x, mask),
            None => reference_chain(&self.as_chain(), shape, x, mask),
        }
    }

    fn backward_reads(&self) -> Saved {
        // A chain recomputes its forward pass from its input.
        self.single().map_or(Saved::Input, |l| l.backward_reads())
    }

    fn encode_backward(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        saved: &GpuTensor,
        dy: &GpuTensor,
        dx: &GpuTensor,
    ) -> Result<()> {
        match self.single() {
            Some(layer) => layer.encode_backward(ctx, encoder, saved, dy, dx),
            None => encode_chain_backward(ctx, encoder, &self.as_chain(), saved, dy, dx),
        }
    }

    fn reference_backward(&self, shape: &[usize], saved: &[f32], dy: &[f32]) -> Result<Vec<f32>> {
        match self.single() {
            Some(layer) => layer.reference_backward(shape, saved, dy),
            None => reference_chain_backward(&self.as_chain(), shape, saved, dy),
        }
    }
}

crate::layer::inherent_forward!(AnyLayer);
