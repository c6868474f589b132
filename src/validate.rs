//! The one check every numeric argument goes through: NaN and infinities
//! are refused with an error naming the argument, because either would
//! silently poison every output (Keras itself accepts most of them).

use crate::error::{Error, Result};

/// `value` if finite; otherwise an error naming `argument` of `owner`
/// (e.g. "a ReLU layer", "a constraint") and the value.
pub(crate) fn finite(owner: &str, argument: &'static str, value: f32) -> Result<f32> {
    finite_or(argument, value, || {
        format!("{argument} of {owner} must be a finite number. Received: {argument}={value:?}")
    })
}

/// [`finite`] with the caller's own wording (`message()`), where a family
/// of messages has its own style (the initializers' "Argument `x` of ...").
pub(crate) fn finite_or(
    argument: &'static str,
    value: f32,
    message: impl FnOnce() -> String,
) -> Result<f32> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(Error::argument(argument, message()))
    }
}

/// `value` if finite and not negative; `negative_message()` (Keras's own
/// words) for negatives, [`finite`]'s error for NaN and infinities.
pub(crate) fn non_negative_finite(
    owner: &str,
    argument: &'static str,
    value: f32,
    negative_message: impl FnOnce() -> String,
) -> Result<f32> {
    finite(owner, argument, value)?;
    if value < 0.0 {
        return Err(Error::argument(argument, negative_message()));
    }
    Ok(value)
}
