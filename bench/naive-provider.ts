/**
 * The comparison program of benchmark 3: a dynamic provider written the usual way, whose
 * methods close over a hand-written client class imported from a local module. Pulumi
 * serializes that closure (the class, its methods and what they reference) into every
 * resource's `__provider`. The files are written into the benchmark's Pulumi project.
 */

/** `naive-client.ts`: a compact but complete hand-written client, as one would write it. */
export const NAIVE_CLIENT_SOURCE = `
export interface ApiBackup {
  id: number;
  server: { id: number; name: string };
  backup_type: string;
  status: string;
  size_mb: number | null;
  created_at: string;
  expires_at: string | null;
  description: string | null;
}

interface ApiPage {
  count: number;
  next: string | null;
  results: ApiBackup[];
}

const POLL_INTERVAL_MS = 1_000;
const MAX_ATTEMPTS = 5;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class BackupsApiClient {
  constructor(private readonly baseUrl: string, private readonly token: string) {}

  private async request<T>(method: string, url: string, body?: unknown): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      const response = await fetch(url.startsWith("http") ? url : this.baseUrl + url, {
        method,
        headers: { Authorization: "Bearer " + this.token, "Content-Type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if ((response.status === 429 || response.status >= 500) && attempt < MAX_ATTEMPTS) {
        await sleep(Number(response.headers.get("retry-after") ?? "1") * 1000);
        continue;
      }
      if (!response.ok) throw new Error(method + " " + url + " failed with " + response.status + ": " + (await response.text()));
      return (response.status === 204 ? undefined : await response.json()) as T;
    }
  }

  createBackup(serverId: number, description?: string): Promise<ApiBackup> {
    return this.request<ApiBackup>("POST", "/backups/", { server_id: serverId, description });
  }

  async findBackup(serverId: number, backupId: number): Promise<ApiBackup | undefined> {
    let url: string | null = "/backups/?server_id=" + serverId;
    while (url) {
      const page: ApiPage = await this.request<ApiPage>("GET", url);
      const found = page.results.find((backup) => backup.id === backupId);
      if (found) return found;
      url = page.next;
    }
    return undefined;
  }

  async waitForBackup(serverId: number, backupId: number, timeoutMs: number): Promise<ApiBackup> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const backup = await this.findBackup(serverId, backupId);
      if (!backup) throw new Error("backup " + backupId + " disappeared");
      if (backup.status === "completed") return backup;
      if (backup.status === "failed") throw new Error("backup " + backupId + " failed");
      await sleep(POLL_INTERVAL_MS);
    }
    throw new Error("timed out waiting for backup " + backupId);
  }

  async deleteBackup(backupId: number): Promise<void> {
    await this.request<void>("DELETE", "/backups/" + backupId + "/");
  }
}
`;

/** `index.ts` of the naive program: `count` backups of `serverId`, credentials from stack config. */
export const NAIVE_PROGRAM_SOURCE = `
import * as pulumi from "@pulumi/pulumi";
import { BackupsApiClient } from "./naive-client";

interface BackupInputs {
  serverId: number;
  description?: string;
  apiUrl: string;
  apiToken: string;
}

const backupProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: BackupInputs) {
    const client = new BackupsApiClient(inputs.apiUrl, inputs.apiToken);
    const created = await client.createBackup(inputs.serverId, inputs.description);
    const backup = await client.waitForBackup(inputs.serverId, created.id, 60 * 60 * 1000);
    return {
      id: String(backup.id),
      outs: { ...inputs, backupId: backup.id, status: backup.status, sizeMb: backup.size_mb, createdAt: backup.created_at },
    };
  },
  async read(id: string, props: BackupInputs) {
    const client = new BackupsApiClient(props.apiUrl, props.apiToken);
    const backup = await client.findBackup(props.serverId, Number(id));
    return { id: backup ? id : undefined, props: { ...props, status: backup?.status } };
  },
  async delete(id: string, props: BackupInputs) {
    await new BackupsApiClient(props.apiUrl, props.apiToken).deleteBackup(Number(id));
  },
};

class NaiveServerBackup extends pulumi.dynamic.Resource {
  constructor(name: string, args: { serverId: number; description?: string; apiUrl: string; apiToken: pulumi.Input<string> }) {
    super(backupProvider, name, { ...args, backupId: undefined, status: undefined, sizeMb: undefined, createdAt: undefined }, {
      additionalSecretOutputs: ["apiToken"],
    });
  }
}

const config = new pulumi.Config();
const vps = new pulumi.Config("vps");
for (let index = 0; index < config.requireNumber("count"); index += 1) {
  new NaiveServerBackup("naive-" + index, {
    serverId: config.requireNumber("serverId"),
    description: "footprint " + index,
    apiUrl: vps.require("apiUrl"),
    apiToken: vps.requireSecret("apiToken"),
  });
}
`;

/** `index.ts` of the program using this package: `count` backups of `serverId`. */
export const PACKAGE_PROGRAM_SOURCE = `
import * as pulumi from "@pulumi/pulumi";
import * as vps from "pulumi-vps-backups";

const config = new pulumi.Config();
for (let index = 0; index < config.requireNumber("count"); index += 1) {
  new vps.ServerBackup("backup-" + index, { serverId: config.requireNumber("serverId"), description: "footprint " + index });
}
`;
