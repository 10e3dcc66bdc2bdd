/** What the router knows of a page: how it takes live events and how it is torn down. */
import type { LiveEvent } from './types.ts';

export interface Page {
  onLive?(event: LiveEvent): void;
  destroy?(): void;
}
