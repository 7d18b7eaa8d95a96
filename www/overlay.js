// Draws the zones of the failing checks (report `checks[id].region`) over the live video and over the
// captured photo. No DOM access at import: frameToPage is pure and unit-tested in Node (tests/e2e/units.test.mjs).
//
// A region is `[{ name, points: [[x, y], ...] }, ...]` in pixel coordinates of the checked frame (the report's
// `image.width × image.height`): a polygon, a box (4 points) or a line (2 points, e.g. the shoulder line);
// names use the subject's left/right.

/**
 * Maps a point in frame pixels to page pixels, the way the browser draws the media element.
 *   point      [x, y] in the checked frame (frameW × frameH)
 *   frameW/H   the frame the points refer to (the report's image size)
 *   videoW/H   the media's intrinsic size (video.videoWidth/Height, canvas.width/height); default frameW/H.
 *              The frame is the media scaled (same aspect), so a frame point is scaled to the media first.
 *   elemRect   the element's box in page pixels ({left, top, width, height}, e.g. getBoundingClientRect())
 *   fit        the element's object-fit: 'contain' (letterboxed), 'cover' (cropped), 'fill'; centred (the
 *              default object-position 50% 50%)
 *   mirrored   the element is flipped horizontally about its centre (CSS transform: scaleX(-1))
 * Returns [x, y] in the same coordinates as elemRect.
 */
export function frameToPage(
  [x, y],
  { frameW, frameH, videoW = frameW, videoH = frameH, elemRect, fit = 'contain', mirrored = false },
) {
  const mx = (x * videoW) / frameW;
  const my = (y * videoH) / frameH;
  const { left, top, width, height } = elemRect;
  let sx, sy;
  if (fit === 'fill') {
    sx = width / videoW;
    sy = height / videoH;
  } else {
    const s = fit === 'cover' ? Math.max(width / videoW, height / videoH) : Math.min(width / videoW, height / videoH);
    sx = s;
    sy = s;
  }
  const ox = (width - videoW * sx) / 2;
  const oy = (height - videoH * sy) / 2;
  let px = ox + mx * sx;
  const py = oy + my * sy;
  if (mirrored) px = width - px;
  return [left + px, top + py];
}

/** The regions to draw: those of the checks whose status (shown status when given) is fail. */
export function failingRegions(report, shownStatus) {
  const out = [];
  for (const [id, r] of Object.entries(report?.checks ?? {})) {
    const status = shownStatus?.[id] ?? r.status;
    if (status !== 'fail' || !Array.isArray(r.region)) continue;
    for (const shape of r.region) {
      if (Array.isArray(shape?.points) && shape.points.length >= 2)
        out.push({ check: id, name: shape.name, points: shape.points });
    }
  }
  return out;
}

const centroid = (pts) => [
  pts.reduce((a, p) => a + p[0], 0) / pts.length,
  pts.reduce((a, p) => a + p[1], 0) / pts.length,
];

/**
 * Draws `shapes` (from failingRegions) for `media` (a <video> or <canvas>) on `canvas`, an overlay covering the
 * same box. Returns what was drawn in page coordinates ([{check, name, points, centroid}]), also kept on
 * canvas.drawn for tests.
 */
export function drawRegions(canvas, media, shapes, { frameW, frameH, mirrored = false } = {}) {
  const rect = canvas.getBoundingClientRect();
  const dpr = globalThis.devicePixelRatio || 1;
  const w = Math.round(rect.width * dpr);
  const h = Math.round(rect.height * dpr);
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const drawn = [];
  const videoW = media.videoWidth ?? media.width;
  const videoH = media.videoHeight ?? media.height;
  if (!shapes.length || !frameW || !frameH || !videoW || !videoH) {
    canvas.drawn = drawn;
    return drawn;
  }
  const style = getComputedStyle(media);
  const opts = {
    frameW,
    frameH,
    videoW,
    videoH,
    elemRect: media.getBoundingClientRect(),
    fit: style.objectFit,
    mirrored,
  };
  ctx.setTransform(dpr, 0, 0, dpr, -rect.left * dpr, -rect.top * dpr); // page px → canvas px
  ctx.lineWidth = 3;
  ctx.lineJoin = 'round';
  ctx.strokeStyle = 'rgb(229, 72, 77)';
  ctx.fillStyle = 'rgba(229, 72, 77, 0.35)';
  for (const s of shapes) {
    const pts = s.points.map((p) => frameToPage(p, opts));
    ctx.beginPath();
    ctx.moveTo(...pts[0]);
    for (const p of pts.slice(1)) ctx.lineTo(...p);
    if (pts.length > 2) {
      ctx.closePath();
      ctx.fill();
    }
    ctx.stroke();
    drawn.push({ check: s.check, name: s.name, points: pts, centroid: centroid(pts) });
  }
  canvas.drawn = drawn;
  return drawn;
}

export function clearRegions(canvas) {
  canvas.getContext('2d').clearRect(0, 0, canvas.width, canvas.height);
  canvas.drawn = [];
}
