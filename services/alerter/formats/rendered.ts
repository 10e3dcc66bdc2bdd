/**
 * What every body format produces. Apart from body.ts (which picks the
 * format) so that the formats import this and body.ts imports the formats:
 * no circle, not even a type-only one.
 */

/** The exact bytes sent and signed, with their media type. */
export interface Body {
  readonly contentType: string;
  readonly text: string;
}
