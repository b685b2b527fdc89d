// The page's virtual time, between the frames that confirm it. Frames come at most 30 times a
// second; between two of them the picture moves on at the run's speed (virtual ms per wall ms)
// from the last frame's ``now``, but never further than one frame period ahead of it, so it
// never shows more than the next frame can confirm. Paused or ended, it stands exactly at the
// frame's time; a jump (seek, restart) puts it there too. It never runs backwards otherwise.
export const FRAME_PERIOD_MS = 1000 / 30;

export class FlowClock {
  constructor({ period = FRAME_PERIOD_MS } = {}) {
    this.period = period;
    this.base = 0; // the last frame's virtual now
    this.wall = 0; // when it arrived (performance.now())
    this.speed = 0;
    this.playing = false;
    this.shown = 0; // the last time handed out: the clock never goes back from it while playing
  }

  /** A frame arrived at ``wall`` (performance.now()): its virtual time is the new base. */
  frame(frame, wall) {
    const now = frame.flow?.now ?? frame.timeline.now;
    const playing = frame.playback.state === "playing";
    const jumped = frame.reset || frame.flow?.redraw;
    this.base = now;
    this.wall = wall;
    this.speed = frame.playback.speed;
    // Standing still, or after a jump, the page shows exactly the frame's time.
    if (!playing || jumped || !this.playing) this.shown = now;
    this.playing = playing;
  }

  /** The page's virtual time at ``wall``. */
  now(wall) {
    if (!this.playing) return this.base;
    const ahead = Math.min(this.speed * Math.max(0, wall - this.wall), this.speed * this.period);
    this.shown = Math.max(this.shown, this.base + ahead);
    return this.shown;
  }
}
