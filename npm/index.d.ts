// Types of the photo-check package (index.js) and of its report. The report's types mirror the Rust types
// (src/report/, src/checks/*.rs, src/capture.rs); tests/e2e/npm.test.mjs checks them against the Rust sources (check
// ids, statuses, every check's reason codes) and type-checks the CLI's JSON report and the wasm module's against
// them with tsc.

// ---- the report ------------------------------------------------------------------------------------------

/** The checks, in report order. */
export type CheckId =
  | 'face_count' | 'framing' | 'head_pose' | 'body_tilt' | 'ears_visible' | 'hair_clear' | 'no_hat'
  | 'mouth_closed' | 'eyes_open' | 'lighting_even' | 'exposure' | 'sharpness' | 'background_plain'
  | 'glasses_clear' | 'no_jewelry' | 'clothing_contrast' | 'shadow_free';

/** One check's outcome. */
export type Status = 'pass' | 'fail' | 'unknown' | 'not_required';

/** The whole photo's outcome: a fail if any check fails, unknown if any cannot decide, else pass. */
export type Verdict = 'pass' | 'fail' | 'unknown';

/** Reason codes every check can give. */
export type CommonReason = 'no_face' | 'multiple_faces' | 'face_too_small' | 'not_required';

/** Each check's own reason codes (`ok` on pass). */
export interface OwnReasons {
  face_count: 'ok';
  framing:
    | 'ok' | 'head_cut_off' | 'too_far' | 'too_close' | 'off_center' | 'no_room_above' | 'shoulders_cut_off'
    | 'proportions';
  head_pose: 'ok' | 'yaw_right' | 'yaw_left' | 'pitch_up' | 'pitch_down' | 'roll_right' | 'roll_left' | 'pose_unavailable';
  body_tilt: 'ok' | 'shoulders_tilted_right' | 'shoulders_tilted_left' | 'body_turned' | 'shoulders_not_visible';
  ears_visible:
    | 'ok' | 'right_ear_covered' | 'left_ear_covered' | 'ears_covered' | 'ears_hidden_by_pose' | 'ears_unclear'
    | 'ear_zone_outside_frame' | 'no_skin_model';
  hair_clear: 'ok' | 'hair_over_brows' | 'hair_over_right_brow' | 'hair_over_left_brow' | 'no_skin_model';
  no_hat: 'ok' | 'hat' | 'crown_outside_frame' | 'no_skin_model';
  mouth_closed: 'ok' | 'mouth_open' | 'teeth_showing';
  eyes_open: 'ok' | 'eyes_closed' | 'right_eye_closed' | 'left_eye_closed';
  lighting_even: 'ok' | 'right_side_dark' | 'left_side_dark' | 'too_dark_to_judge';
  exposure: 'ok' | 'too_dark' | 'too_bright' | 'highlights_clipped';
  sharpness: 'ok' | 'blurred';
  background_plain: 'ok' | 'background_busy' | 'background_uneven' | 'little_background';
  glasses_clear:
    | 'ok' | 'glasses_ok' | 'glare_on_glasses' | 'frames_over_eyes' | 'tinted_glasses' | 'eyes_not_measurable'
    | 'eyes_outside_frame' | 'no_skin_model';
  no_jewelry:
    | 'ok' | 'earrings' | 'necklace' | 'earlobes_not_visible' | 'neckline_outside_frame' | 'no_skin_model';
  clothing_contrast: 'ok' | 'clothing_like_background' | 'clothing_out_of_frame' | 'no_skin_model';
  shadow_free: 'ok' | 'shadow_on_face' | 'shadow_behind_head' | 'red_eye' | 'outline_not_visible';
}

/** A reason code of check `C` (its own or a common one); without `C`, any check's. */
export type ReasonCode<C extends CheckId = CheckId> = OwnReasons[C] | CommonReason;

/** A zone a check looked at, in pixels of the checked image: a polygon, or a line (two points). */
export interface Shape {
  /** `right_ear`, `crown`, `crop`, `shoulder_line`, … (the subject's left and right). */
  name: string;
  points: [number, number][];
}

/** One check's answer. */
export interface CheckResult<C extends CheckId = CheckId> {
  status: Status;
  /** Why (`ok` on pass); the messages are keyed by it (see messageFor and `customMessages`). */
  reason: ReasonCode<C>;
  /** What was measured (`{}` when nothing was: no face, not required). */
  value: { [measure: string]: unknown };
  /** The profile parameters the value was compared with (`{}` when not required). */
  threshold: { [parameter: string]: unknown };
  message_zh: string;
  message_en: string;
  /** The zones measured, for drawing where a problem is (absent when none). */
  region?: Shape[];
}

export type Checks = { [C in CheckId]: CheckResult<C> };

/** The face the checks were computed on. */
export interface FaceSummary {
  /** `[x, y, width, height]` in image pixels. */
  box: [number, number, number, number];
  score: number;
  presence: number;
  landmarks?: [number, number, number][];
}

export interface ImageInfo {
  width: number;
  height: number;
  /** The file's size before downscaling, when it was downscaled. */
  original?: [number, number];
}

/** Milliseconds per stage. */
export interface Timing {
  decode: number;
  detect: number;
  landmarks: number;
  segment: number;
  checks: number;
  total: number;
}

/** A check report: the CLI's JSON (`photo-check check --json`, less its `file`), the wasm module's, the receiver's. */
export interface Report {
  verdict: Verdict;
  /** The profile's name (`chsi`, `icao`, or a custom profile's). */
  profile: string;
  checks: Checks;
  face: FaceSummary | null;
  image: ImageInfo;
  timing_ms: Timing;
  /** Live frames: the stages reused from an earlier frame. */
  reused?: ('detection' | 'segmentation')[];
}

/** One row of the live checklist. */
export interface ChecklistItem<C extends CheckId = CheckId> {
  id: C;
  status: Status;
  reason: ReasonCode<C>;
  message_zh: string;
  message_en: string;
}

/** The capture state after a tracked frame. */
export interface CaptureUpdate {
  /** searching: something fails; steady: passing, holding; ready: take the photo (bestFrame). */
  phase: 'searching' | 'steady' | 'ready';
  frame_index: number;
  pass_run: number;
  /** 0..1 towards ready. */
  progress: number;
  score: number;
  new_best: boolean;
  best_index: number | null;
  best_score: number | null;
  checklist: ChecklistItem[];
}

export interface TrackResult {
  report: Report;
  capture: CaptureUpdate;
}

/** Why this browser cannot check photos. */
export type UnsupportedReason = 'no_wasm' | 'no_wasm_simd' | 'no_module_worker';

/** The report of a photo that could not be checked in this browser (uncheckedReport). */
export interface UncheckedReport {
  verdict: 'unchecked';
  reason: UnsupportedReason;
  profile: string | null;
  checks: Record<string, never>;
  image?: { width: number; height: number };
}

// ---- errors ----------------------------------------------------------------------------------------------

export type ErrorCode =
  // the wasm module's (src/error.rs)
  | 'bad_dimensions' | 'buffer_length' | 'too_large' | 'decode' | 'model_load' | 'inference' | 'profile'
  | 'invalid_argument' | 'freed'
  // the package's
  | 'unsupported' | 'model_fetch' | 'worker_failed' | 'trap' | 'restarted' | 'disposed' | 'internal';

export class PhotoCheckError extends Error {
  constructor(code: ErrorCode, message: string, extra?: object);
  readonly name: 'PhotoCheckError' | 'UnsupportedError';
  readonly code: ErrorCode;
  /** A wasm trap: the instance was replaced. */
  readonly fatal?: boolean;
  /** The engine message that failed (`init`, `frame`, `image`, …). */
  readonly during?: string;
}

/** Thrown (createChecker rejects) in a browser without WebAssembly SIMD or module workers. */
export class UnsupportedError extends PhotoCheckError {
  constructor(reason: UnsupportedReason);
  readonly name: 'UnsupportedError';
  readonly code: 'unsupported';
  readonly reason: UnsupportedReason;
}

// ---- the API ---------------------------------------------------------------------------------------------

/** The model files (in `modelsUrl`). */
export const MODEL_FILES: Readonly<{ faceDetection: string; faceLandmark: string; selfieSegmentation: string }>;

/** A message override: one text, or one per language. */
export type CustomMessage = string | { zh?: string; en?: string };

/**
 * Overrides by reason code: `"check_id.reason"` (e.g. `"mouth_closed.mouth_open"`) wins over `"reason"` (e.g.
 * `"no_face"`, any check).
 */
export type CustomMessages = { [K in ReasonCode | `${CheckId}.${string}`]?: CustomMessage };

export interface Progress {
  /** Bytes loaded so far (module and models together). */
  loaded: number;
  /** Their total, or 0 while a size is not known yet. */
  total: number;
  /** The URL being loaded, or 'compile'. */
  what: string;
}

export interface CheckerOptions {
  /** Built-in profile: 'chsi' (default) or 'icao'. */
  profile?: 'chsi' | 'icao' | (string & {});
  /** A profile as TOML text (wins over `profile`). */
  profileToml?: string;
  /** Run in a module Worker (default true); false runs the engine on the page's thread. */
  worker?: boolean;
  /** Where worker.js, engine.js and pkg/ are (same origin). Default: this package's folder (import.meta.url). */
  baseUrl?: string | URL;
  /** Where the three models are (same origin). Default: `models/` in `baseUrl`. */
  modelsUrl?: string | URL;
  /** Long side of tracked frames (default 640). */
  maxFrameSide?: number;
  /** Passing frames in a row before capture (capture tuning). */
  stableFrames?: number;
  holdFrames?: number;
  /** Language of `checker.message` (default 'zh'). */
  lang?: 'zh' | 'en';
  customMessages?: CustomMessages;
  onProgress?: (progress: Progress) => void;
  /** Every time the checker is ready: after loading, and after the worker was replaced following a trap. */
  onReady?: (checker: Checker) => void;
  /** A wasm trap: the calls in flight rejected (code 'restarted'); a new worker is loading. */
  onCrash?: (error: PhotoCheckError) => void;
  /** The replacement worker failed to load after a trap. */
  onError?: (error: PhotoCheckError) => void;
  /** For tests: behave as a browser without wasm SIMD ('no_wasm_simd') or module workers. */
  simulateUnsupported?: UnsupportedReason;
}

/** Anything with pixels: a video, canvas, VideoFrame, ImageBitmap, image or ImageData. */
export type FrameSource = CanvasImageSource | ImageData | { data: Uint8ClampedArray; width: number; height: number };

export class Checker {
  /** Use startChecker / createChecker. */
  constructor(options?: CheckerOptions);
  /** Resolves to this checker when loaded (again, after a trap restarted it). */
  readonly ready: Promise<Checker>;
  /** The active profile's name, once ready. */
  readonly profile: string | null;
  /** Which module build runs ('pkg'), once ready. */
  readonly pkg: string | null;
  /** The module worker (null with `worker: false`). */
  readonly worker: Worker | null;
  /** Checks a live frame (scaled to `maxFrameSide`) and feeds the capture state machine. */
  track(source: FrameSource): Promise<TrackResult>;
  /** Checks one still frame on its own. */
  check(source: FrameSource | Blob): Promise<Report>;
  /** Checks a JPEG/PNG file (EXIF orientation applied, large photos downscaled). */
  checkImage(file: Blob | ArrayBuffer | Uint8Array): Promise<Report>;
  /** The best tracked frame so far, or null. */
  bestFrame(): Promise<{ image: ImageData; index: number; score: number } | null>;
  /** The standardized 480×640 JPEG (crop, background replaced). */
  standardize(source: FrameSource | Blob, options?: { background?: 'blue' | 'white' | 'grey' }): Promise<Blob>;
  /** Forgets tracking and the capture state. */
  reset(): void;
  /** A check's message in `lang` (default: the options'), with the options' `customMessages`. */
  message<C extends CheckId>(checkId: C, result: { reason: ReasonCode<C> | string; message_zh: string;
    message_en: string }, lang?: 'zh' | 'en'): string;
  /** Stops the worker; pending calls reject with code 'disposed'. */
  dispose(): void;
}

/** Starts a checker and resolves once it is ready. Rejects with UnsupportedError or PhotoCheckError. */
export function createChecker(options?: CheckerOptions): Promise<Checker>;

/** Starts a checker and returns it at once (its `worker` exists already); `checker.ready` says when it is loaded. */
export function startChecker(options?: CheckerOptions): Checker;

/** Whether this browser can check photos (`worker`: whether module workers are needed, default true). */
export function detectSupport(options?: { worker?: boolean }):
  | { supported: true; reason?: undefined }
  | { supported: false; reason: UnsupportedReason };

/** The report for a photo this browser cannot check. */
export function uncheckedReport(
  reason: UnsupportedReason, info?: { profile?: string | null; width?: number; height?: number },
): UncheckedReport;

/** A check's message in `lang` with `customMessages` ("check_id.reason", then "reason"), else the report's own. */
export function messageFor<C extends CheckId>(
  checkId: C,
  result: { reason: ReasonCode<C> | string; message_zh: string; message_en: string },
  options?: { lang?: 'zh' | 'en'; customMessages?: CustomMessages },
): string;
