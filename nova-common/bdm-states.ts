// The durable intent of a volume attach or detach, kept in block_device_mapping.attach_state
// (NULL = settled). Each state names who drives it and which way the compute's reconciler
// takes it when the operation stopped half-way (a kill, an outage, a lost cast):
//
//   attach:  reserving ──api──▶ reserved ──compute──▶ attaching ──▶ attach-committing ──▶ NULL
//            (roll back)        (finish)              (roll back)    (finish: os-attach)
//   detach:  NULL ──api──▶ detaching ──compute──▶ detach-committing ──▶ NULL (row soft-deleted)
//                          (finish; roll back only when the guest refuses)   (finish: os-detach)
//   swap:    NULL ──api──▶ swap-reserving ──▶ swap-reserved ──compute──▶ swapping ──▶ swap-committing ──▶ NULL
//                          (roll back)        (roll back)                (roll back)   (finish: release the old volume)
//            swap_volume_id/swap_attachment_id name the new volume until swap-committing, the old one from then on.
//
// An attach is rolled back until connection_info is saved and os-attach may have been sent
// (attach-committing); from then on it is finished. A detach soft-deletes its row in the same
// UPDATE that enters detach-committing, before os-detach: a volume never shows 'available'
// while Nova still counts it attached.
export const BDM_STATES = {
  /** nova-api inserted the row; os-reserve not confirmed yet. Stale → rolled back. */
  RESERVING: 'reserving',
  /** nova-api reserved the volume and casts attach_volume. → compute attaches (cast or reconciler). */
  RESERVED: 'reserved',
  /** The compute claimed the attach: connecting. Interrupted → rolled back. */
  ATTACHING: 'attaching',
  /** connection_info saved; os-attach sent or due. Interrupted → finished. */
  ATTACH_COMMITTING: 'attach-committing',
  /** Detach requested (nova-api or server delete). Interrupted → finished. */
  DETACHING: 'detaching',
  /** Guest and host torn down, row soft-deleted; os-detach sent or due. Interrupted → finished. */
  DETACH_COMMITTING: 'detach-committing',
  /** nova-api records a swap before begin_detaching the old volume. Stale → rolled back. */
  SWAP_RESERVING: 'swap-reserving',
  /** Old volume detaching, new one reserved; the cast is due. Stale → rolled back. */
  SWAP_RESERVED: 'swap-reserved',
  /** The compute connects the new volume and swaps the guest's disk. Interrupted → rolled back. */
  SWAPPING: 'swapping',
  /** The row names the new volume; the old one is being released. Interrupted → finished. */
  SWAP_COMMITTING: 'swap-committing',
} as const;

export type BdmState = (typeof BDM_STATES)[keyof typeof BDM_STATES];

/** States in which the volume counts as attached to the server (a detach may start). */
export const ATTACHED_STATES: ReadonlyArray<BdmState | null> = [null, BDM_STATES.ATTACH_COMMITTING];

/** States owned by an attach in flight (the volume is not usable by a detach yet). */
export const ATTACH_IN_FLIGHT: readonly BdmState[] = [BDM_STATES.RESERVING, BDM_STATES.RESERVED, BDM_STATES.ATTACHING];

/**
 * Whether another server's live rows for a volume could hold its legacy reservation (os-reserve
 * names no one). A row whose own os-reserve was confirmed (`confirmedOurs`: it reached
 * 'reserved') holds the volume's one reservation: another row still 'reserving' is only trying,
 * and its os-reserve fails or comes after ours is released, so it does not count. Otherwise any
 * other live row may be the holder.
 */
export function othersMayHoldReservation(others: ReadonlyArray<{ attachState: BdmState | null }>, confirmedOurs: boolean): boolean {
  return others.some((b) => !(confirmedOurs && b.attachState === BDM_STATES.RESERVING));
}

/**
 * Whether a volume's legacy reservation is this row's: the volume is 'attaching' and no other
 * server's live row may hold it (a row past 'reserving' had its own os-reserve confirmed). The
 * rule a rolled-back attach and a server delete without its compute both follow.
 */
export function legacyReservationIsRows(volumeStatus: string | null | undefined, bdm: { attachState: BdmState | null },
  others: ReadonlyArray<{ attachState: BdmState | null }>): boolean {
  if (volumeStatus !== 'attaching') return false;
  const confirmed = ([BDM_STATES.RESERVED, BDM_STATES.ATTACHING, BDM_STATES.ATTACH_COMMITTING] as Array<BdmState | null>).includes(bdm.attachState);
  return !othersMayHoldReservation(others, confirmed);
}
