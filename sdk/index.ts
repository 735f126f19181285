/** The standalone Backups API client: usable without Pulumi. */
export * from "./schemas";
