/**
 * What changed in a list of records since it was last written, so that a mutation writes the
 * few rows it touched instead of the whole state. The state changes its records in place
 * (the lifecycle settles backups, the control endpoint patches them), so changes are found by
 * comparing each record with a shallow copy of what was written: a few field comparisons per
 * record, no serialisation, no I/O for the unchanged ones.
 */

/** A record with a unique numeric id and flat (primitive) fields. */
export interface FlatRecord {
  readonly id: number;
}

/** The rows to write so that the table matches the records again. */
export interface RowChanges<Row extends FlatRecord> {
  /** Every row must be rewritten in this order (the records were reordered: a reset). */
  rewrite: boolean;
  /** New records, in their order; with `rewrite`, every record. */
  inserted: Row[];
  /** Records whose fields changed. */
  updated: Row[];
  /** Ids no longer present. */
  deletedIds: number[];
}

function sameFields(current: FlatRecord, written: FlatRecord): boolean {
  const now = current as unknown as Record<string, unknown>;
  const then = written as unknown as Record<string, unknown>;
  for (const key in now) if (now[key] !== then[key]) return false;
  return true;
}

/** The last written copy of each record, in the order the table keeps them. */
export class RowMirror<Row extends FlatRecord> {
  /** Written copies by id, with the position each has in the table (rising along the list). */
  private written = new Map<number, { copy: Row; position: number }>();
  private nextPosition = 0;

  /** What to write for `records` to be stored; call {@link accept} once it is written. */
  changes(records: readonly Row[]): RowChanges<Row> {
    const inserted: Row[] = [];
    const updated: Row[] = [];
    let matched = 0;
    let lastPosition = -1;
    let inOrder = true;
    for (const record of records) {
      const entry = this.written.get(record.id);
      if (entry === undefined) {
        inserted.push(record);
        continue;
      }
      matched += 1;
      // A known record after a new one, or known records out of their order: the order changed.
      if (entry.position < lastPosition || inserted.length > 0) inOrder = false;
      lastPosition = entry.position;
      if (!sameFields(record, entry.copy)) updated.push(record);
    }
    if (!inOrder) {
      return {
        rewrite: true,
        inserted: [...records],
        updated: [],
        deletedIds: [...this.written.keys()],
      };
    }
    const deletedIds: number[] = [];
    if (matched < this.written.size) {
      const present = new Set(records.map((record) => record.id));
      for (const id of this.written.keys()) if (!present.has(id)) deletedIds.push(id);
    }
    return { rewrite: false, inserted, updated, deletedIds };
  }

  /** Records that `changes` were written (call after the transaction committed). */
  accept(changes: RowChanges<Row>): void {
    if (changes.rewrite) this.written = new Map();
    for (const id of changes.deletedIds) this.written.delete(id);
    for (const record of changes.updated) {
      const entry = this.written.get(record.id);
      if (entry) entry.copy = { ...record };
    }
    for (const record of changes.inserted) {
      this.written.set(record.id, { copy: { ...record }, position: this.nextPosition++ });
    }
  }

  /** Whether anything is to be written. */
  static isEmpty(changes: RowChanges<FlatRecord>): boolean {
    return (
      !changes.rewrite &&
      changes.inserted.length === 0 &&
      changes.updated.length === 0 &&
      changes.deletedIds.length === 0
    );
  }
}
