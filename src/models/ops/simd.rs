//! The two SIMD accesses the browser build's loops share (`depthwise`, `pointwise`): four floats of a slice
//! as one wasm SIMD value, and back.

use core::arch::wasm32::{v128, v128_load, v128_store};

/// Four floats of `s` from `i` as one SIMD value.
///
/// # Safety
/// `i + 4 <= s.len()` (a bounds test per load cost a fifth of `Depthwise`'s time; each caller tests its reach
/// once).
#[inline(always)]
pub(super) unsafe fn load(s: &[f32], i: usize) -> v128 {
    debug_assert!(i + 4 <= s.len());
    // SAFETY: the caller keeps the four floats inside `s`; wasm's v128.load has no alignment requirement.
    unsafe { v128_load(s.as_ptr().add(i).cast()) }
}

/// Writes one SIMD value to the four floats of `s`.
#[inline(always)]
pub(super) fn store(s: &mut [f32], v: v128) {
    let four: &mut [f32; 4] = s.try_into().expect("four floats");
    // SAFETY: `four` is four writable floats; wasm's v128.store has no alignment requirement.
    unsafe { v128_store(four.as_mut_ptr().cast(), v) }
}
