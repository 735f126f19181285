// Backups and restores of VPS servers, as a native Pulumi provider.
package vps
