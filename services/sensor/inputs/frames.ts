/**
 * Where the capture readers (pcap.ts, pcapng.ts) hand their frames: the
 * capture stream (capture.ts) implements it. Its own module, below all
 * three, so that the readers do not import the stream that imports them.
 */
export interface FrameSink {
  /** A frame: data[from..to) (a range, not a view: one Buffer object per frame was measurable). */
  frame(linkType: number, timeMs: number, data: Uint8Array, from: number, to: number): void;
  skip(reason: string): void;
}
