// "Hold the phone upright": a phone pitched away from vertical photographs the face in perspective.
// The tilt is the angle between the screen and the vertical, from the deviceorientation event's beta and gamma:
// the screen's normal has the world-up component cos(beta)·cos(gamma) (W3C DeviceOrientation, Z-X'-Y''
// angles), so tilt = |asin(cos beta · cos gamma)|. That is 0 for a phone held upright whichever edge is up
// (portrait: beta ≈ ±90; landscape, screen.orientation.angle ±90: gamma ≈ ±90) and 90° lying flat, so the
// same formula serves portrait and landscape; screen.orientation.angle is recorded with each reading only to
// report it. Rotating the phone within the vertical plane (roll) does not distort the face and is not counted.

export const MAX_TILT_DEG = 10; // tilted beyond this: the hint shows
export const CLEAR_TILT_DEG = 8; // and clears below this (no flicker at the limit)

const rad = Math.PI / 180;

/** Degrees between the screen and the vertical, or null when the event has no angles (desktops send nulls). */
export function tiltFromVertical(beta, gamma) {
  if (typeof beta !== 'number' || typeof gamma !== 'number' || Number.isNaN(beta) || Number.isNaN(gamma)) return null;
  const up = Math.cos(beta * rad) * Math.cos(gamma * rad);
  return Math.abs(Math.asin(Math.max(-1, Math.min(1, up)))) / rad;
}

/**
 * Watches deviceorientation where DeviceOrientationEvent exists. onChange(tilted, reading) is called when the
 * phone becomes tilted or upright again. Where DeviceOrientationEvent.requestPermission exists (iOS 13+; recent
 * Chromium has it too and grants at once) call requestOnGesture() from a tap handler: iOS sends events only once
 * it is granted. The listener is attached from the start (browsers that need no permission send events at once;
 * iOS sends none until granted). Refused, no events, or null angles (desktops): nothing happens.
 */
export function watchOrientation(onChange, { win = globalThis } = {}) {
  const DOE = win.DeviceOrientationEvent;
  const watch = {
    supported: typeof DOE === 'function',
    tilted: false,
    reading: null,
    needsPermission: false,
    permission: null,
  };
  if (!watch.supported) {
    watch.requestOnGesture = () => {};
    return watch;
  }
  const onEvent = (e) => {
    const tilt = tiltFromVertical(e.beta, e.gamma);
    if (tilt === null) return;
    watch.reading = {
      beta: e.beta,
      gamma: e.gamma,
      tilt,
      angle: win.screen?.orientation?.angle ?? win.orientation ?? 0,
    };
    const tilted = watch.tilted ? tilt > CLEAR_TILT_DEG : tilt > MAX_TILT_DEG;
    if (tilted !== watch.tilted) {
      watch.tilted = tilted;
      onChange(tilted, watch.reading);
    }
  };
  win.addEventListener('deviceorientation', onEvent);
  watch.needsPermission = typeof DOE.requestPermission === 'function';
  let asked = false;
  watch.requestOnGesture = () => {
    if (!watch.needsPermission || asked) return;
    asked = true;
    let asking; // called synchronously, inside the gesture
    try {
      asking = Promise.resolve(DOE.requestPermission());
    } catch (e) {
      asking = Promise.reject(e);
    }
    asking
      .then((answer) => {
        watch.permission = answer;
      })
      .catch(() => {
        watch.permission = 'error';
      }); // refused or not from a gesture: skip silently
  };
  return watch;
}
