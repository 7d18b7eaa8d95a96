//! Colour maths: sRGB → CIELAB (D65) and the CIEDE2000 colour difference.
//!
//! CIEDE2000 (CIE 142-2001) is the difference the eye sees: ΔE00 ≈ 1 is a just-noticeable difference,
//! ≈ 2–3 is visible side by side, and beyond ~10 two colours read as different at a glance. The formula
//! follows Sharma, Wu and Dalal, "The CIEDE2000 color-difference formula: implementation notes"
//! (2005), whose test pairs the unit tests check.

/// A colour in CIELAB (D65 white): lightness 0..100 and the a*, b* opponent axes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Lab {
    /// Lightness, 0 (black) to 100 (white).
    pub l: f32,
    /// Green (−) to red (+).
    pub a: f32,
    /// Blue (−) to yellow (+).
    pub b: f32,
}

/// One sRGB channel (0..255) as linear light (0..1).
fn linear(c: u8) -> f32 {
    let c = f32::from(c) / 255.0;
    if c <= 0.040_45 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

/// CIELAB's companding of a tristimulus ratio.
fn f(t: f32) -> f32 {
    const E: f32 = 216.0 / 24389.0;
    const K: f32 = 24389.0 / 27.0;
    if t > E {
        t.cbrt()
    } else {
        (K * t + 16.0) / 116.0
    }
}

impl Lab {
    /// The CIELAB value of an sRGB pixel (D65 white point, 2° observer).
    pub fn from_srgb(p: [u8; 3]) -> Lab {
        let (r, g, b) = (linear(p[0]), linear(p[1]), linear(p[2]));
        let x = (0.412_456_4 * r + 0.357_576_1 * g + 0.180_437_5 * b) / 0.950_47;
        let y = 0.212_672_9 * r + 0.715_152_2 * g + 0.072_175 * b;
        let z = (0.019_333_9 * r + 0.119_192 * g + 0.950_304_1 * b) / 1.088_83;
        let (fx, fy, fz) = (f(x), f(y), f(z));
        Lab { l: 116.0 * fy - 16.0, a: 500.0 * (fx - fy), b: 200.0 * (fy - fz) }
    }
}

/// The CIEDE2000 colour difference ΔE00 between two CIELAB colours (kL = kC = kH = 1).
pub fn delta_e2000(c1: Lab, c2: Lab) -> f32 {
    // f64 inside: the hue terms are sensitive near the wrap-around
    let (l1, a1, b1) = (f64::from(c1.l), f64::from(c1.a), f64::from(c1.b));
    let (l2, a2, b2) = (f64::from(c2.l), f64::from(c2.a), f64::from(c2.b));
    let c_bar = (a1.hypot(b1) + a2.hypot(b2)) / 2.0;
    let c7 = c_bar.powi(7);
    let g = 0.5 * (1.0 - (c7 / (c7 + 25f64.powi(7))).sqrt());
    let (a1p, a2p) = ((1.0 + g) * a1, (1.0 + g) * a2);
    let (c1p, c2p) = (a1p.hypot(b1), a2p.hypot(b2));
    let hue = |b: f64, a: f64| if a == 0.0 && b == 0.0 { 0.0 } else { b.atan2(a).to_degrees().rem_euclid(360.0) };
    let (h1p, h2p) = (hue(b1, a1p), hue(b2, a2p));

    let dl = l2 - l1;
    let dc = c2p - c1p;
    let dh = if c1p * c2p == 0.0 {
        0.0
    } else if (h2p - h1p).abs() <= 180.0 {
        h2p - h1p
    } else if h2p - h1p > 180.0 {
        h2p - h1p - 360.0
    } else {
        h2p - h1p + 360.0
    };
    let dhh = 2.0 * (c1p * c2p).sqrt() * (dh / 2.0).to_radians().sin();

    let l_bar = (l1 + l2) / 2.0;
    let c_bar_p = (c1p + c2p) / 2.0;
    let h_bar = if c1p * c2p == 0.0 {
        h1p + h2p
    } else if (h1p - h2p).abs() <= 180.0 {
        (h1p + h2p) / 2.0
    } else if h1p + h2p < 360.0 {
        (h1p + h2p + 360.0) / 2.0
    } else {
        (h1p + h2p - 360.0) / 2.0
    };
    let t = 1.0 - 0.17 * (h_bar - 30.0).to_radians().cos()
        + 0.24 * (2.0 * h_bar).to_radians().cos()
        + 0.32 * (3.0 * h_bar + 6.0).to_radians().cos()
        - 0.20 * (4.0 * h_bar - 63.0).to_radians().cos();
    let d_theta = 30.0 * (-((h_bar - 275.0) / 25.0).powi(2)).exp();
    let c7p = c_bar_p.powi(7);
    let rc = 2.0 * (c7p / (c7p + 25f64.powi(7))).sqrt();
    let l50 = (l_bar - 50.0).powi(2);
    let sl = 1.0 + 0.015 * l50 / (20.0 + l50).sqrt();
    let sc = 1.0 + 0.045 * c_bar_p;
    let sh = 1.0 + 0.015 * c_bar_p * t;
    let rt = -(2.0 * d_theta).to_radians().sin() * rc;
    let (tl, tc, th) = (dl / sl, dc / sc, dhh / sh);
    (tl * tl + tc * tc + th * th + rt * tc * th).sqrt() as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lab(l: f32, a: f32, b: f32) -> Lab {
        Lab { l, a, b }
    }

    #[test]
    fn delta_e2000_matches_sharmas_test_pairs() {
        // pairs 1, 2, 7, 17, 25 and 34 of Sharma, Wu and Dalal's table 1 (ΔE00 to four decimals)
        let pairs = [
            (lab(50.0, 2.6772, -79.7751), lab(50.0, 0.0, -82.7485), 2.0425),
            (lab(50.0, 3.1571, -77.2803), lab(50.0, 0.0, -82.7485), 2.8615),
            (lab(50.0, 0.0, 0.0), lab(50.0, -1.0, 2.0), 2.3669),
            (lab(50.0, 2.5, 0.0), lab(73.0, 25.0, -18.0), 27.1492),
            (lab(60.2574, -34.0099, 36.2677), lab(60.4626, -34.1751, 39.4387), 1.2644),
            (lab(22.7233, 20.0904, -46.6940), lab(23.0331, 14.9730, -42.5619), 2.0373),
        ];
        for (c1, c2, want) in pairs {
            let got = delta_e2000(c1, c2);
            assert!((got - want).abs() < 1e-3, "{c1:?} {c2:?}: {got} ≠ {want}");
            assert!((delta_e2000(c2, c1) - got).abs() < 1e-4, "symmetric");
        }
        assert_eq!(delta_e2000(lab(40.0, 10.0, -5.0), lab(40.0, 10.0, -5.0)), 0.0);
    }

    #[test]
    fn srgb_to_lab_matches_reference_values() {
        // white, black, and the sRGB primaries (D65; reference values from the CIE formulas)
        let cases = [
            ([255, 255, 255], lab(100.0, 0.0, 0.0)),
            ([0, 0, 0], lab(0.0, 0.0, 0.0)),
            ([255, 0, 0], lab(53.24, 80.09, 67.20)),
            ([0, 255, 0], lab(87.73, -86.18, 83.18)),
            ([0, 0, 255], lab(32.30, 79.19, -107.86)),
        ];
        for (rgb, want) in cases {
            let got = Lab::from_srgb(rgb);
            for (g, w) in [(got.l, want.l), (got.a, want.a), (got.b, want.b)] {
                assert!((g - w).abs() < 0.05, "{rgb:?}: {got:?} ≠ {want:?}");
            }
        }
    }
}
