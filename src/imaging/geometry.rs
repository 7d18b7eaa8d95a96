//! Points, 2-D affine maps and polygons.

/// A point in image pixels (x right, y down).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Point {
    /// Horizontal coordinate, pixels, growing to the right.
    pub x: f32,
    /// Vertical coordinate, pixels, growing downward.
    pub y: f32,
}

impl Point {
    /// The point `(x, y)`.
    pub const fn new(x: f32, y: f32) -> Point {
        Point { x, y }
    }
    /// Euclidean distance to `o`.
    pub fn dist(self, o: Point) -> f32 {
        ((self.x - o.x).powi(2) + (self.y - o.y).powi(2)).sqrt()
    }
    /// Midpoint between this point and `o`.
    pub fn mid(self, o: Point) -> Point {
        Point::new((self.x + o.x) * 0.5, (self.y + o.y) * 0.5)
    }
    /// Linear interpolation: this point at `t = 0`, `o` at `t = 1` (not clamped).
    pub fn lerp(self, o: Point, t: f32) -> Point {
        Point::new(self.x + (o.x - self.x) * t, self.y + (o.y - self.y) * t)
    }
}

/// `p ↦ (a·x + b·y + c, d·x + e·y + f)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Affine {
    /// The coefficients `[a, b, c, d, e, f]`.
    pub m: [f32; 6],
}

impl Affine {
    /// Maps the square `[0, size]²` onto a rectangle of `width`×`height` image pixels centred at
    /// `center` and rotated by `rotation` radians (y down, so positive turns clockwise on screen).
    pub fn from_rotated_rect(center: Point, width: f32, height: f32, rotation: f32, out_w: f32, out_h: f32) -> Affine {
        let (s, c) = rotation.sin_cos();
        let sx = width / out_w;
        let sy = height / out_h;
        // image = center + R · ((u - out_w/2)·sx, (v - out_h/2)·sy)
        let a = c * sx;
        let b = -s * sy;
        let d = s * sx;
        let e = c * sy;
        let cx = center.x - a * out_w * 0.5 - b * out_h * 0.5;
        let cy = center.y - d * out_w * 0.5 - e * out_h * 0.5;
        Affine { m: [a, b, cx, d, e, cy] }
    }

    /// Maps `p`.
    #[inline]
    pub fn apply(&self, p: Point) -> Point {
        let m = &self.m;
        Point::new(m[0] * p.x + m[1] * p.y + m[2], m[3] * p.x + m[4] * p.y + m[5])
    }

    /// Scale factor applied to lengths (geometric mean of the axes).
    pub fn scale(&self) -> f32 {
        (self.m[0] * self.m[4] - self.m[1] * self.m[3]).abs().sqrt()
    }
}

/// Whether `p` lies inside the polygon (even-odd rule).
pub fn point_in_polygon(p: Point, poly: &[Point]) -> bool {
    let mut inside = false;
    let n = poly.len();
    let mut j = n.wrapping_sub(1);
    for i in 0..n {
        let (a, b) = (poly[i], poly[j]);
        if (a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x {
            inside = !inside;
        }
        j = i;
    }
    inside
}

/// Area of a simple polygon (shoelace formula), always ≥ 0.
pub fn polygon_area(poly: &[Point]) -> f32 {
    let n = poly.len();
    let mut s = 0.0;
    for i in 0..n {
        let (a, b) = (poly[i], poly[(i + 1) % n]);
        s += a.x * b.y - b.x * a.y;
    }
    s.abs() * 0.5
}

/// Axis-aligned bounds `(min_x, min_y, max_x, max_y)` of the points.
pub fn bounds(points: impl IntoIterator<Item = Point>) -> (f32, f32, f32, f32) {
    points.into_iter().fold((f32::MAX, f32::MAX, f32::MIN, f32::MIN), |(a, b, c, d), p| {
        (a.min(p.x), b.min(p.y), c.max(p.x), d.max(p.y))
    })
}

/// Integer pixel coordinates whose centres lie inside the polygon, clipped to `width`×`height`,
/// visiting every `step`-th row and column.
pub fn polygon_pixels(poly: &[Point], width: u32, height: u32, step: usize) -> Vec<(usize, usize)> {
    let (x0, y0, x1, y1) = bounds(poly.iter().copied());
    if !(x0.is_finite() && y0.is_finite() && x1.is_finite() && y1.is_finite()) {
        return Vec::new();
    }
    let xs = x0.floor().max(0.0) as usize;
    let ys = y0.floor().max(0.0) as usize;
    let xe = (x1.ceil().max(0.0) as usize).min(width as usize);
    let ye = (y1.ceil().max(0.0) as usize).min(height as usize);
    // One row at a time: where each edge crosses the row, computed as `point_in_polygon` does, then the
    // pixels left of an odd number of crossings (the same comparisons, so the same pixels).
    let mut out = Vec::new();
    let mut crossings = Vec::with_capacity(poly.len());
    for y in (ys..ye).step_by(step.max(1)) {
        let py = y as f32 + 0.5;
        crossings.clear();
        let mut j = poly.len().wrapping_sub(1);
        for (i, &a) in poly.iter().enumerate() {
            let b = poly[j];
            if (a.y > py) != (b.y > py) {
                let cross = (b.x - a.x) * (py - a.y) / (b.y - a.y) + a.x;
                // `px < NaN` never holds: such an edge never toggles
                if !cross.is_nan() {
                    crossings.push(cross);
                }
            }
            j = i;
        }
        crossings.sort_by(f32::total_cmp);
        let mut passed = 0; // crossings at or left of the pixel centre
        for x in (xs..xe).step_by(step.max(1)) {
            let px = x as f32 + 0.5;
            while passed < crossings.len() && crossings[passed] <= px {
                passed += 1;
            }
            if (crossings.len() - passed) % 2 == 1 {
                out.push((x, y));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotated_rect_maps_centre_and_axes() {
        let m = Affine::from_rotated_rect(Point::new(100.0, 50.0), 40.0, 40.0, std::f32::consts::FRAC_PI_2, 10.0, 10.0);
        let c = m.apply(Point::new(5.0, 5.0));
        assert!((c.x - 100.0).abs() < 1e-4 && (c.y - 50.0).abs() < 1e-4);
        // +u moves along +y on screen after a quarter turn clockwise
        let r = m.apply(Point::new(10.0, 5.0));
        assert!((r.x - 100.0).abs() < 1e-3 && (r.y - 70.0).abs() < 1e-3);
        assert!((m.scale() - 4.0).abs() < 1e-4);
    }

    #[test]
    fn polygons() {
        let sq = [Point::new(0.0, 0.0), Point::new(2.0, 0.0), Point::new(2.0, 2.0), Point::new(0.0, 2.0)];
        assert!(point_in_polygon(Point::new(1.0, 1.0), &sq));
        assert!(!point_in_polygon(Point::new(3.0, 1.0), &sq));
        assert_eq!(polygon_area(&sq), 4.0);
    }

    #[test]
    fn polygon_pixels_are_the_centres_point_in_polygon_accepts() {
        let mut rng = crate::testkit::Lcg(3);
        for round in 0..300 {
            // random polygons, self-crossing ones included, partly outside the 40×30 canvas
            let n = 3 + round % 14;
            let poly: Vec<Point> =
                (0..n).map(|_| Point::new(20.0 + 26.0 * rng.next(), 15.0 + 20.0 * rng.next())).collect();
            let step = 1 + round % 3;
            let mut expected = Vec::new();
            let (x0, y0, x1, y1) = bounds(poly.iter().copied());
            let xs = x0.floor().max(0.0) as usize..(x1.ceil().max(0.0) as usize).min(40);
            for y in (y0.floor().max(0.0) as usize..(y1.ceil().max(0.0) as usize).min(30)).step_by(step) {
                for x in xs.clone().step_by(step) {
                    if point_in_polygon(Point::new(x as f32 + 0.5, y as f32 + 0.5), &poly) {
                        expected.push((x, y));
                    }
                }
            }
            assert_eq!(polygon_pixels(&poly, 40, 30, step), expected, "polygon {poly:?}, step {step}");
        }
        // vertices on pixel centres and horizontal edges: the boundary cases of the crossing test
        let sq = [Point::new(0.5, 0.5), Point::new(3.5, 0.5), Point::new(3.5, 3.5), Point::new(0.5, 3.5)];
        let expected: Vec<_> = (0..5)
            .flat_map(|y| (0..5).map(move |x| (x, y)))
            .filter(|&(x, y)| point_in_polygon(Point::new(x as f32 + 0.5, y as f32 + 0.5), &sq))
            .collect();
        assert_eq!(polygon_pixels(&sq, 5, 5, 1), expected);
    }
}
