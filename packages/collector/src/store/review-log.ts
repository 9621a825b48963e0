import type { StoredEvent } from '@tightloop/schema'

// The review log's types, shared by both store engines: every decision a person made about a
// correction (approve, reject, edit) or a flagged user (confirm, dismiss), versioned per item
// so a decision can be changed and its history is kept.

/** What a reviewer decided. */
export type ReviewDecisionKind = 'approve' | 'reject' | 'edit' | 'confirm' | 'dismiss'

/** One decision as given; the store adds its version. */
export interface ReviewDecisionInput {
  /** `c:<eventId>` for a correction, `u:<userId>` for a flagged user. */
  itemId: string
  /** The end user the item is about (the correction's author, or the flagged user). */
  userId: string
  decision: ReviewDecisionKind
  /** The reviewer's text of an edited correction. */
  text?: string
  /** Who decided: free text the dashboard remembers. */
  reviewer: string
  note?: string
  /** Server clock (ms). */
  decidedAt: number
}

/** A stored decision: version 1 is the first decision about the item. */
export interface ReviewDecision extends ReviewDecisionInput {
  version: number
}

/** The review part of the store, implemented by every engine. */
export interface ReviewLogStore {
  /**
   * Stores a decision if the item's latest version is still `expectedVersion` (0: undecided);
   * else nothing is stored and the answer is `stale` with the current version.
   */
  addReviewDecision(
    projectId: string,
    decision: ReviewDecisionInput,
    expectedVersion: number,
  ): Promise<{ stored: ReviewDecision } | { stale: number }>
  /** The latest decision of every decided item of the project. */
  latestReviewDecisions(projectId: string): Promise<ReviewDecision[]>
  /** One stored event by its id (the item a correction decision is about), or null. */
  findEvent(projectId: string, eventId: string): Promise<StoredEvent | null>
  /** Every decision about one item, oldest first. */
  reviewHistory(projectId: string, itemId: string): Promise<ReviewDecision[]>
}

/** The item id of a correction event. */
export const correctionItemId = (eventId: string) => `c:${eventId}`
/** The item id of a flagged user. */
export const userItemId = (userId: string) => `u:${userId}`
