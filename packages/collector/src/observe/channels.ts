// Diagnostics channels the stores publish on: metrics and logs subscribe without the stores
// knowing them, and a publish costs nothing while nobody listens (node:diagnostics_channel).
import { channel } from 'node:diagnostics_channel'

/** A committed group of event rows: how many, and how long the commit took until durable. */
export interface CommitMessage {
  engine: 'sqlite' | 'postgres'
  rows: number
  batches: number
  ms: number
}

/** The SQLite checkpointer could not shrink the WAL: a reader holds it, or the disk is slow. */
export interface CheckpointStallMessage {
  walPages: number
}

/** Published by the stores once a group of batches is durable. */
export const commitChannel = channel('tightloop:store:commit')
/** Published by the SQLite store when its WAL keeps growing past the checkpointer's reach. */
export const checkpointStallChannel = channel('tightloop:sqlite:checkpoint-stall')
