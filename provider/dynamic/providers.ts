/**
 * How `ServerBackup` and `ServerRestore` are served as dynamic providers: the methods the
 * serialized providers call through `provider/runtime`, in `pulumi.dynamic`'s shapes. Each only
 * translates: what the resource does is in `provider/server-backup/` and
 * `provider/server-restore/`. Loaded at call time, never serialized into state, and it never
 * loads `@pulumi/pulumi` (types only).
 */
import type * as pulumi from "@pulumi/pulumi";
import { serverBackupOperations as backup } from "../server-backup/server-backup";
import { serverRestoreOperations as restore } from "../server-restore/server-restore";
import { operationContext, trackOperation } from "./context";

type Values = Record<string, unknown>;

/** The `ServerBackup` dynamic provider (everything but `configure`, which `provider/runtime` adds). */
export const dynamicServerBackup = {
  async check(_olds: Values, news: Values): Promise<pulumi.dynamic.CheckResult> {
    return backup.check(news);
  },

  async diff(_id: string, olds: Values, news: Values): Promise<pulumi.dynamic.DiffResult> {
    return { ...backup.diff(olds, news), deleteBeforeReplace: false };
  },

  async create(news: Values): Promise<pulumi.dynamic.CreateResult> {
    return trackOperation(news, async (context) => {
      const { id, outputs } = await backup.create(news, context);
      return { id, outs: outputs };
    });
  },

  /** A deleted or expired backup reads as gone (blank id). */
  async read(id: string, props: Values): Promise<pulumi.dynamic.ReadResult> {
    const outputs = await backup.read(id, props, operationContext());
    return outputs ? { id, props: outputs } : {};
  },

  async update(id: string, olds: Values, news: Values): Promise<pulumi.dynamic.UpdateResult> {
    return trackOperation(news, async (context) => ({
      outs: await backup.update(id, olds, news, context),
    }));
  },

  async delete(id: string, props: Values): Promise<void> {
    await backup.delete(id, props, operationContext());
  },
};

/**
 * The `ServerRestore` dynamic provider (everything but `configure`). It has no `delete`:
 * deleting a restore touches nothing, the server keeps the state it was restored to.
 */
export const dynamicServerRestore = {
  async check(_olds: Values, news: Values): Promise<pulumi.dynamic.CheckResult> {
    return restore.check(news);
  },

  async diff(_id: string, olds: Values, news: Values): Promise<pulumi.dynamic.DiffResult> {
    return { ...restore.diff(olds, news), deleteBeforeReplace: false };
  },

  async create(news: Values): Promise<pulumi.dynamic.CreateResult> {
    return trackOperation(news, async (context) => {
      const { id, outputs } = await restore.create(news, context);
      return { id, outs: outputs };
    });
  },

  /** A server that no longer exists drops the record (blank id). */
  async read(id: string, props: Values): Promise<pulumi.dynamic.ReadResult> {
    const outputs = await restore.read(id, props, operationContext());
    return outputs ? { id, props: outputs } : {};
  },

  async update(id: string, olds: Values, news: Values): Promise<pulumi.dynamic.UpdateResult> {
    return trackOperation(news, async (context) => ({
      outs: await restore.update(id, olds, news, context),
    }));
  },
};
