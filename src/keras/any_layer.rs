//! [`AnyLayer`]: any of the activation layers, or a chain of them, as a
//! config describes it; and [`Sequential`], the one chain type, whose
//! layers are `AnyLayer`s. Both are a [`Layer`] like the concrete ones.

use crate::activations::prelu::PReLU;
use crate::chain::{
    chain_shapes, encode_chain, encode_chain_backward, reference_chain, reference_chain_backward,
};
use crate::context::GpuContext;
use crate::error::Result;
use crate::layer::Layer;
use crate::tensor::GpuTensor;

/// Generates [`AnyLayer`], its `From` impls and `single` from the
/// activation table (`activations::with_activations!`).
macro_rules! any_layer {
    ($($variant:ident => $ty:ty, $held:ty;)*) => {
        /// A layer built from a Keras config: any of the activation layers, or a chain of them
        /// (a Keras `Sequential` of activation layers), run in one submission.
        ///
        /// It forwards on the GPU and on the CPU exactly as the layer inside it.
        /// A mask ([`AnyLayer::forward_masked`]) reaches every Softmax in it; the
        /// other layers pass it on, as Keras's activation layers do.
        ///
        /// ```
        /// # fn main() -> wgpu_activations::Result<()> {
        /// use wgpu_activations::{keras::AnyLayer, GpuContext, GpuTensor, Layer, ReLU, Sequential, Softmax};
        /// let ctx = GpuContext::new_blocking()?;
        /// let chain = AnyLayer::from(Sequential::new().with(ReLU::default()).with(Softmax::new(-1)));
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
            Chain(Sequential),
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
            /// The layer inside, as a trait object.
            fn inner(&self) -> &dyn Layer {
                match self {
                    $(AnyLayer::$variant(l) => {
                        let layer: &$ty = std::borrow::Borrow::borrow(l);
                        layer
                    })*
                    AnyLayer::Chain(chain) => chain,
                }
            }
        }
    };
}

crate::activations::with_activations!(any_layer);

impl AnyLayer {
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

// Every call goes to the layer inside.
crate::layer::delegate_layer!(AnyLayer, inner);

crate::layer::inherent_forward!(AnyLayer);

/// Layers applied in order, encoded into one command encoder and submitted
/// once; nothing is read back between layers.
///
/// The first layer writes the output tensor; every later layer that can
/// runs in place on it, so a chain of elementwise layers allocates one tensor.
///
/// ```
/// # fn main() -> wgpu_activations::Result<()> {
/// use wgpu_activations::{GpuContext, GpuTensor, Layer, LeakyReLU, ReLU, Sequential, Softmax};
/// let ctx = GpuContext::new_blocking()?;
/// let chain = Sequential::new()
///     .with(LeakyReLU::new(0.5)?)
///     .with(ReLU::new(Some(1.0), 0.0, 0.0)?)
///     .with(Softmax::new(-1));
/// let x = GpuTensor::from_slice(&ctx, &[1, 2], &[-4.0, 9.0])?;
/// let before = ctx.submissions();
/// let y = chain.forward(&ctx, &x)?;
/// assert_eq!(ctx.submissions() - before, 1);
/// let host = y.to_vec_blocking(&ctx)?;
/// assert!((host[0] + host[1] - 1.0).abs() < 1e-6);
/// # Ok(()) }
/// ```
#[derive(Clone, Default)]
pub struct Sequential {
    layers: Vec<AnyLayer>,
}

impl Sequential {
    /// An empty chain (the identity).
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a layer (any activation layer, or a chain).
    pub fn with(mut self, layer: impl Into<AnyLayer>) -> Self {
        self.layers.push(layer.into());
        self
    }

    /// Appends a layer in place.
    pub fn push(&mut self, layer: impl Into<AnyLayer>) {
        self.layers.push(layer.into());
    }

    /// The layers, in order.
    pub fn layers(&self) -> &[AnyLayer] {
        &self.layers
    }
}

impl std::fmt::Debug for Sequential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.layers.iter().map(|l| l.class_name()).collect();
        f.debug_struct("Sequential")
            .field("layers", &names)
            .finish()
    }
}

impl Sequential {
    /// The layers as trait objects, for the chain functions below.
    fn dyn_layers(&self) -> Vec<&dyn Layer> {
        self.layers.iter().map(|l| l as &dyn Layer).collect()
    }
}

impl Layer for Sequential {
    fn class_name(&self) -> &'static str {
        "Sequential"
    }

    fn encode(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        x: &GpuTensor,
        out: &GpuTensor,
    ) -> Result<()> {
        encode_chain(ctx, encoder, &self.dyn_layers(), x, None, out)
    }

    fn encode_masked(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        x: &GpuTensor,
        mask: Option<&GpuTensor>,
        out: &GpuTensor,
    ) -> Result<()> {
        encode_chain(ctx, encoder, &self.dyn_layers(), x, mask, out)
    }

    /// A chain of in-place layers runs in place, each after the other.
    fn supports_in_place(&self) -> bool {
        self.layers.iter().all(Layer::supports_in_place)
    }

    fn encode_in_place(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        x: &GpuTensor,
    ) -> Result<()> {
        if !self.supports_in_place() {
            return Err(crate::error::Error::Shape(
                "this Sequential holds a layer that cannot run in place".into(),
            ));
        }
        self.layers
            .iter()
            .try_for_each(|layer| layer.encode_in_place(ctx, encoder, x))
    }

    fn reference(&self, shape: &[usize], x: &[f32]) -> Result<Vec<f32>> {
        reference_chain(&self.dyn_layers(), shape, x, None)
    }

    /// The last layer's output shape, through every layer's.
    fn output_shape(&self, shape: &[usize]) -> Result<Vec<usize>> {
        let mut shapes = chain_shapes(&self.dyn_layers(), shape)?;
        Ok(shapes.pop().expect("starts with shape"))
    }

    fn reference_masked(
        &self,
        shape: &[usize],
        x: &[f32],
        mask: Option<(&[usize], &[f32])>,
    ) -> Result<Vec<f32>> {
        reference_chain(&self.dyn_layers(), shape, x, mask)
    }

    /// Recomputes the forward pass from `x`, keeping every layer's input,
    /// then runs the layers' backward passes in reverse; all in `encoder`.
    fn encode_backward(
        &self,
        ctx: &GpuContext,
        encoder: &mut wgpu::CommandEncoder,
        x: &GpuTensor,
        dy: &GpuTensor,
        dx: &GpuTensor,
    ) -> Result<()> {
        encode_chain_backward(ctx, encoder, &self.dyn_layers(), x, dy, dx)
    }

    fn reference_backward(&self, shape: &[usize], x: &[f32], dy: &[f32]) -> Result<Vec<f32>> {
        reference_chain_backward(&self.dyn_layers(), shape, x, dy)
    }
}

crate::layer::inherent_forward!(Sequential);

impl From<Vec<AnyLayer>> for Sequential {
    fn from(layers: Vec<AnyLayer>) -> Self {
        Self { layers }
    }
}

impl FromIterator<AnyLayer> for Sequential {
    fn from_iter<I: IntoIterator<Item = AnyLayer>>(layers: I) -> Self {
        Self {
            layers: layers.into_iter().collect(),
        }
    }
}

/// A chain reads as the slice of its layers.
impl std::ops::Deref for Sequential {
    type Target = [AnyLayer];
    fn deref(&self) -> &[AnyLayer] {
        &self.layers
    }
}

impl<'a> IntoIterator for &'a Sequential {
    type Item = &'a AnyLayer;
    type IntoIter = std::slice::Iter<'a, AnyLayer>;
    fn into_iter(self) -> Self::IntoIter {
        self.layers.iter()
    }
}

impl From<Sequential> for AnyLayer {
    fn from(chain: Sequential) -> Self {
        AnyLayer::Chain(chain)
    }
}
